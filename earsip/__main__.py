"""`python -m earsip` runs the `earsip` command (how `earsip serve` starts its worker)."""

from earsip.cli import main

if __name__ == "__main__":
    main()
