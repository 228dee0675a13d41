import asyncio

from llmops_retrieval.bootstrap import main

asyncio.run(main())
