"""`python -m tenantctl` runs the command line."""

from tenantctl.cli.app import main

main()
