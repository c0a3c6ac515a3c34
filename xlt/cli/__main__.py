import sys

from xlt.cli.main import main

sys.exit(main())
