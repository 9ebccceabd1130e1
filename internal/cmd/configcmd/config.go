// Package configcmd implements `odshare config get|set|list`.
package configcmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/auth"
	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/config"
	"github.com/odshare/odshare/internal/output"
)

// NewCmdConfig returns the config noun.
func NewCmdConfig(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config <command>",
		Short: "Show and change odshare's settings",
		Long: `Settings live in config.yaml in the config directory (ODSHARE_CONFIG_DIR, default the
OS user config directory + /odshare). Each key can also be set with ODSHARE_<KEY> in the
environment; a flag beats the environment, which beats the file.

Keys:
` + keyHelp(),
	}
	cmd.AddCommand(newCmdGet(f), newCmdSet(f), newCmdList(f))
	return cmd
}

func keyHelp() string {
	var b strings.Builder
	for _, k := range config.Keys {
		fmt.Fprintf(&b, "  %-15s %s\n", k.Name, k.Help)
	}
	return b.String()
}

func keyArg(name string) (config.Key, error) {
	k, ok := config.LookupKey(name)
	if !ok {
		names := make([]string, 0, len(config.Keys))
		for _, k := range config.Keys {
			names = append(names, k.Name)
		}
		return k, cmdutil.FlagErrorf("unknown key %q: valid keys are %s", name, strings.Join(names, ", "))
	}
	return k, nil
}

// completeKeys offers the key names for the first argument, and nothing after it.
func completeKeys(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	names := make([]string, 0, len(config.Keys))
	for _, k := range config.Keys {
		names = append(names, k.Name+"\t"+k.Help)
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

// completeSet offers the key names, then the values the key takes: the clouds for cloud, the
// formats for output, files for the keys that name one, nothing otherwise.
func completeSet(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	switch len(args) {
	case 0:
		return completeKeys(c, args, toComplete)
	case 1:
		switch args[0] {
		case "cloud":
			return config.CloudNames(), cobra.ShellCompDirectiveNoFileComp
		case "output":
			var out []string
			for _, f := range output.Formats() {
				out = append(out, string(f))
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		case "tenant":
			return cmdutil.TenantCompletions, cobra.ShellCompDirectiveNoFileComp
		case "scopes":
			return cmdutil.ScopeCompletions, cobra.ShellCompDirectiveNoFileComp
		case "ca_file", "certificate":
			return nil, cobra.ShellCompDirectiveDefault
		}
	}
	return nil, cobra.ShellCompDirectiveNoFileComp
}

func newCmdGet(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:               "get <key>",
		Short:             "Print the value of a setting",
		Args:              cmdutil.ExactArgs(1, "missing key"),
		ValidArgsFunction: completeKeys,
		RunE: func(c *cobra.Command, args []string) error {
			k, err := keyArg(args[0])
			if err != nil {
				return err
			}
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			fmt.Fprintln(f.IOStreams.Out, output.Sanitize(effective(cfg, k.Name)))
			return nil
		},
	}
}

func newCmdSet(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:               "set <key> <value>",
		Short:             "Change a setting in config.yaml (an empty value removes it)",
		Args:              cmdutil.ExactArgs(2, "set needs a key and a value"),
		ValidArgsFunction: completeSet,
		RunE: func(c *cobra.Command, args []string) error {
			k, err := keyArg(args[0])
			if err != nil {
				return err
			}
			if err := validate(k.Name, args[1]); err != nil {
				return err
			}
			dir, err := config.Dir()
			if err != nil {
				return err
			}
			return config.Set(dir, k.Name, args[1])
		},
	}
}

// validate rejects values that would only fail later, so a typo never lands in the file.
func validate(key, value string) error {
	switch key {
	case "output":
		if value != "" {
			if _, err := output.ParseFormat(value); err != nil {
				return &cmdutil.FlagError{Err: err}
			}
		}
	case "cloud":
		if _, ok := config.Clouds[value]; value != "" && !ok {
			return cmdutil.FlagErrorf("invalid cloud %q: valid values are %s", value, strings.Join(config.CloudNames(), ", "))
		}
	case "token_storage":
		if value != "" && value != "auto" && value != "file" {
			return cmdutil.FlagErrorf("invalid token_storage %q: valid values are auto and file", value)
		}
	case "box_api_url", "box_token_url", "box_authorize_url":
		if value != "" {
			if err := auth.CheckEndpoint(key, value); err != nil {
				return &cmdutil.FlagError{Err: err}
			}
		}
	}
	return nil
}

// setting is one row of `config list`; it is also the JSON shape of -o json.
type setting struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Source string `json:"source"`
}

func newCmdList(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Show every setting, its value and where it came from",
		Long: `Show every setting, the value odshare uses and where it came from: flag, env, file or
default. A default is shown as the value it stands for (client_id and scopes are the ones
sign-in uses when none is set). -o json prints an array of {"key", "value", "source"}.`,
		Args: cmdutil.ExactArgs(0, ""),
		RunE: func(c *cobra.Command, args []string) error {
			p, err := f.ResolvePrinting()
			if err != nil {
				return err
			}
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			rows := make([]setting, 0, len(config.Keys))
			for _, k := range config.Keys {
				rows = append(rows, setting{Key: k.Name, Value: effective(cfg, k.Name), Source: cfg.Source[k.Name]})
			}
			if p.JSON() {
				return p.WriteValue(f.IOStreams, rows)
			}
			t := p.Table(f.IOStreams, output.Column{Header: "KEY"}, output.Column{Header: "VALUE"}, output.Column{Header: "SOURCE"})
			for _, r := range rows {
				t.AddRow(r.Key, r.Value, r.Source)
			}
			return t.Render()
		},
	}
	f.AddOutputFlags(cmd)
	return cmd
}

// effective is the value odshare acts on for key: the configured one, or for a key whose default
// belongs to sign-in, the default sign-in uses (what `auth status` shows).
func effective(cfg *config.Config, key string) string {
	v := cfg.Value(key)
	if v != "" {
		return v
	}
	switch key {
	case "client_id":
		return auth.DefaultClientID
	case "scopes":
		if !cfg.AppOnly() {
			return strings.Join(auth.DefaultScopes, ",")
		}
		return cmdutil.AppScope(cfg)
	}
	return ""
}
