from chitieu.cli import main

raise SystemExit(main())
