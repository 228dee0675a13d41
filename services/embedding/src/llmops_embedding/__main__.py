import asyncio

from llmops_embedding.bootstrap import main

asyncio.run(main())
