package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"pocket/pull"
)

func loginCommand() *cli.Command {
	return &cli.Command{
		Name: "login", Usage: "log in to a registry", ArgsUsage: "[OPTIONS] [SERVER]",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "username", Aliases: []string{"u"}, Usage: "username"},
			&cli.StringFlag{Name: "password", Aliases: []string{"p"}, Usage: "password or token"},
			&cli.BoolFlag{Name: "password-stdin", Usage: "take the password from stdin"},
		},
		Action: failWith1(func(c *cli.Context) error {
			if err := argsAtMost(c, 1); err != nil {
				return err
			}
			o, err := loginOptions(c)
			if err != nil {
				return err
			}
			return login(c, o)
		}),
	}
}

// loginOpts is login's flags, read once.
type loginOpts struct {
	srv            pull.Server
	user, password string
}

func loginOptions(c *cli.Context) (loginOpts, error) {
	srv, err := pull.ParseServer(c.Args().First(), c.StringSlice("insecure-registry"))
	if err != nil {
		return loginOpts{}, err
	}
	o := loginOpts{srv: srv, user: strings.TrimSpace(c.String("username")), password: c.String("password")}
	switch {
	case c.IsSet("password") && c.Bool("password-stdin"):
		return o, errors.New("--password and --password-stdin are mutually exclusive")
	case c.IsSet("password"):
		fmt.Fprintln(os.Stderr, "WARNING! Using --password via the CLI is insecure. Use --password-stdin.")
	case c.Bool("password-stdin"):
		if o.user == "" {
			return o, errors.New("must provide --username with --password-stdin")
		}
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			return o, fmt.Errorf("read password from stdin: %w", err)
		}
		o.password = strings.TrimRight(string(b), "\r\n")
	}
	return o, nil
}

// login verifies the credentials (given, stored or typed) and saves them.
func login(c *cli.Context, o loginOpts) error {
	ctx := signalContext()
	if o.user == "" && o.password == "" {
		if ac, _, err := pull.Stored(o.srv); err == nil && ac.Username != "" && ac.Password != "" {
			fmt.Printf("Authenticating with existing credentials... [Username: %s]\n", ac.Username)
			if err := pull.Verify(ctx, o.srv, ac.Username, ac.Password); err == nil {
				fmt.Println("Login Succeeded")
				return nil
			}
			fmt.Fprintln(os.Stderr, "Login did not succeed, error: existing credentials are refused")
		}
	}
	if o.user == "" || o.password == "" {
		if err := prompt(&o); err != nil {
			return err
		}
	}
	if err := pull.Verify(ctx, o.srv, o.user, o.password); err != nil {
		return err
	}
	file, err := pull.SaveLogin(o.srv, o.user, o.password)
	sayConfigFile(file)
	if err != nil {
		return err
	}
	fmt.Println("Login Succeeded")
	return nil
}

// prompt asks for what the flags left out, on a terminal only.
func prompt(o *loginOpts) error {
	if !term.IsTerminal(int(os.Stdin.Fd())) {
		return errors.New("cannot perform an interactive login from a non TTY device")
	}
	if o.user == "" {
		fmt.Print("Username: ")
		l, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil {
			return fmt.Errorf("read username: %w", err)
		}
		if o.user = strings.TrimSpace(l); o.user == "" {
			return errors.New("username is required")
		}
	}
	if o.password == "" {
		fmt.Print("Password: ")
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Println()
		if err != nil {
			return fmt.Errorf("read password: %w", err)
		}
		if o.password = string(b); o.password == "" {
			return errors.New("password is required")
		}
	}
	return nil
}

// sayConfigFile names the configuration file under sudo, where it is
// root's and not the invoking user's: `docker` run by that user would not
// see these credentials.
func sayConfigFile(file string) {
	if u := os.Getenv("SUDO_USER"); u != "" && os.Geteuid() == 0 && file != "" {
		fmt.Fprintf(os.Stderr, "Using %s (running as root under sudo by %s; set DOCKER_CONFIG to choose another)\n", file, u)
	}
}
