"""Write-offs (报损): damaged, expired, stolen or used-in-store goods leave the shelf for the loss place."""
