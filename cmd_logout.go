package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"pocket/pull"
)

func logoutCommand() *cli.Command {
	return &cli.Command{
		Name: "logout", Usage: "log out from a registry", ArgsUsage: "[SERVER]",
		Action: failWith1(func(c *cli.Context) error {
			if err := argsAtMost(c, 1); err != nil {
				return err
			}
			srv, err := pull.ParseServer(c.Args().First(), nil)
			if err != nil {
				return err
			}
			found, file, err := pull.Logout(srv)
			if !found && err == nil {
				fmt.Printf("Not logged in to %s\n", srv.Key)
				return nil
			}
			fmt.Printf("Removing login credentials for %s\n", srv.Key)
			sayConfigFile(file)
			return err
		}),
	}
}
