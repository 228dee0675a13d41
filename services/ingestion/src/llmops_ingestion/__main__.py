import asyncio

from llmops_ingestion.bootstrap import main

asyncio.run(main())
