import asyncio

from llmops_query.bootstrap import main

asyncio.run(main())
