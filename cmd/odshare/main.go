// Command odshare shares OneDrive and SharePoint items from the command line.
package main

import (
	"os"

	"github.com/odshare/odshare/internal/app"
)

func main() { os.Exit(app.Main()) }
