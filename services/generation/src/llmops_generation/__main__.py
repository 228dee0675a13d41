import asyncio

from llmops_generation.bootstrap import main

asyncio.run(main())
