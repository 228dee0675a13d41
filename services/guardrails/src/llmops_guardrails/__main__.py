import asyncio

from llmops_guardrails.bootstrap import main

asyncio.run(main())
