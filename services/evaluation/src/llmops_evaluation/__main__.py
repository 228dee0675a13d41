import asyncio

from llmops_evaluation.bootstrap import main

asyncio.run(main())
