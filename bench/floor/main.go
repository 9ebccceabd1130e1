// Command floor is the start-up floor that the libraries the project was told to use put under
// any command of odshare: a hello-world, built as bench/hello is, that links cobra, viper, MSAL for
// Go (public and confidential clients), tablewriter v1 (with its renderers) and fatih/color and
// calls none of them. Go runs every linked package's initialisers before main, so this program pays
// for their package variables and init functions (tablewriter's width cache and ANSI regexp,
// MSAL's authority tables, viper's YAML, dotenv and cast packages …) and nothing of odshare's own.
// bench/run.sh case 6 times it beside the hello-world and `odshare version`: odshare's start-up
// over this floor is what odshare's code and its other libraries cost.
package main

import (
	"fmt"
	"os"

	_ "github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	_ "github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	_ "github.com/fatih/color"
	_ "github.com/olekukonko/tablewriter"
	_ "github.com/olekukonko/tablewriter/renderer"
	_ "github.com/spf13/cobra"
	_ "github.com/spf13/viper"
)

func main() { fmt.Fprintln(os.Stdout, "hello, world") }
