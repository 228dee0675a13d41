import asyncio

from llmops_telemetry.bootstrap import main

asyncio.run(main())
