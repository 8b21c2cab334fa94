package main

// Shell completion scripts, generated from the command tree so that they
// never fall behind it: commands, subcommands and flags are written into
// the script; container, image and volume names are asked of pocket when
// completing (`pocket ps -a --format '{{.Names}}'`, ...), with its stderr
// dropped so that no warning lands on the command line.

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
)

// Which names a command's arguments are, by command path.
var completionKinds = map[string]string{}

func init() {
	for _, p := range strings.Fields("attach commit cp diff exec export kill logs pause port rename restart rm start stats stop top unpause update wait") {
		completionKinds[p] = "container"
		completionKinds["container "+p] = "container"
	}
	completionKinds["container inspect"] = "container"
	completionKinds["inspect"] = "container image"
	for _, p := range strings.Fields("run create history push rmi save tag") {
		completionKinds[p] = "image"
		completionKinds["container "+p] = "image"
	}
	for _, p := range strings.Fields("history inspect push rm save tag") {
		completionKinds["image "+p] = "image"
	}
	completionKinds["volume inspect"] = "volume"
	completionKinds["volume rm"] = "volume"
	completionKinds["network inspect"] = "network"
	completionKinds["completion"] = "shell"
}

// completionNode is one command of the tree, flattened: its path from
// the top ("" for pocket itself), subcommands, flags and argument kinds.
type completionNode struct {
	path  string
	subs  []string
	flags []string
	kinds string
}

func completionFlags(fs []cli.Flag) []string {
	var out []string
	for _, f := range fs {
		for _, n := range f.Names() {
			if len(n) == 1 {
				out = append(out, "-"+n)
			} else {
				out = append(out, "--"+n)
			}
		}
	}
	if !slices.Contains(out, "--help") {
		out = append(out, "--help")
	}
	return out
}

// completionTree walks the app's commands, every name and alias of each.
func completionTree(a *cli.App) []completionNode {
	nodes := []completionNode{{flags: completionFlags(a.Flags)}}
	var walk func(prefix string, cmds []*cli.Command) []string
	walk = func(prefix string, cmds []*cli.Command) []string {
		var names []string
		for _, c := range cmds {
			if c.Hidden {
				continue
			}
			for _, n := range c.Names() {
				names = append(names, n)
				p := strings.TrimSpace(prefix + " " + n)
				node := completionNode{path: p, flags: completionFlags(c.Flags), kinds: completionKinds[p]}
				node.subs = walk(p, c.Subcommands)
				nodes = append(nodes, node)
			}
		}
		sort.Strings(names)
		return names
	}
	nodes[0].subs = walk("", a.Commands)
	return nodes
}

// writeCompletion writes the script for shell: bash, zsh or fish.
func writeCompletion(w io.Writer, shell string, a *cli.App) error {
	nodes := completionTree(a)
	switch shell {
	case "bash":
		writeBash(w, nodes)
	case "zsh":
		// zsh runs the bash script through its bashcompinit layer.
		fmt.Fprint(w, "#compdef pocket\nautoload -U +X bashcompinit && bashcompinit\n")
		writeBash(w, nodes)
	case "fish":
		writeFish(w, nodes)
	default:
		return &cliError{code: 1, msg: fmt.Sprintf("pocket completion: unknown shell %q (hint: bash, zsh or fish)", shell)}
	}
	return nil
}

// completionNames is the shell code listing the names of one kind.
func completionNames(bin, kind string) string {
	switch kind {
	case "container":
		return bin + ` ps -a --format '{{.Names}}' 2>/dev/null`
	case "image":
		return bin + ` images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep -v '<none>'`
	case "volume":
		return bin + ` volume ls -q 2>/dev/null`
	case "network":
		return "echo bridge host none"
	case "shell":
		return "echo bash zsh fish"
	}
	return ""
}

func writeBash(w io.Writer, nodes []completionNode) {
	fmt.Fprint(w, `# bash completion for pocket: source <(pocket completion bash)
# _pocket_names KIND...: the names pocket has, asked with the global flags
# of the command line being completed (--root ...).
_pocket_names() {
	local bin=("${COMP_WORDS[0]}" "${globals[@]}") kind
	for kind in "$@"; do
		case $kind in
`)
	for _, k := range []string{"container", "image", "volume", "network", "shell"} {
		fmt.Fprintf(w, "\t\t%s) %s ;;\n", k, completionNames(`"${bin[@]}"`, k))
	}
	fmt.Fprint(w, `		esac
	done
}

_pocket() {
	local cur=${COMP_WORDS[COMP_CWORD]} path="" subs flags kinds i w
	local globals=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--root | --registry-mirror | --insecure-registry | --log-level)
			if [[ -z $path ]]; then
				globals+=("$w" "${COMP_WORDS[i+1]}")
				((i++))
			fi
			continue ;;
		--root=* | --registry-mirror=* | --insecure-registry=* | --log-level=*)
			[[ -z $path ]] && globals+=("$w")
			continue ;;
		-*) continue ;;
		esac
		_pocket_node "$path"
		case " $subs " in
		*" $w "*) path="${path:+$path }$w" ;;
		*) break ;;
		esac
	done
	_pocket_node "$path"
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$flags" -- "$cur"))
	elif [[ -n $subs ]]; then
		COMPREPLY=($(compgen -W "$subs" -- "$cur"))
	elif [[ -n $kinds ]]; then
		COMPREPLY=($(compgen -W "$(_pocket_names $kinds)" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}

_pocket_node() {
	subs="" flags="" kinds=""
	case $1 in
`)
	for _, n := range nodes {
		fmt.Fprintf(w, "\t%q) subs=%q flags=%q kinds=%q ;;\n", n.path, strings.Join(n.subs, " "), strings.Join(n.flags, " "), n.kinds)
	}
	fmt.Fprint(w, `	esac
}

complete -F _pocket pocket
`)
}

func writeFish(w io.Writer, nodes []completionNode) {
	fmt.Fprint(w, "# fish completion for pocket: pocket completion fish | source\n")
	fmt.Fprint(w, "function __pocket_path\n\tset -l words (commandline -opc)\n\tset -e words[1]\n\tset -l path\n"+
		"\tfor w in $words\n\t\tstring match -q -- '-*' $w; and continue\n\t\tset -l p (string join ' ' $path $w)\n"+
		"\t\tif contains -- $p $__pocket_paths\n\t\t\tset path $path $w\n\t\telse\n\t\t\tbreak\n\t\tend\n\tend\n"+
		"\tstring join ' ' $path\nend\n")
	var paths []string
	for _, n := range nodes[1:] {
		paths = append(paths, fmt.Sprintf("%q", n.path))
	}
	fmt.Fprintf(w, "set -g __pocket_paths %s\n", strings.Join(paths, " "))
	fmt.Fprint(w, "complete -c pocket -f\n")
	for _, n := range nodes {
		cond := fmt.Sprintf("-n 'test \"(__pocket_path)\" = %q'", n.path)
		if len(n.subs) > 0 {
			fmt.Fprintf(w, "complete -c pocket %s -a %q\n", cond, strings.Join(n.subs, " "))
		}
		for _, f := range n.flags {
			if strings.HasPrefix(f, "--") {
				fmt.Fprintf(w, "complete -c pocket %s -l %s\n", cond, f[2:])
			} else {
				fmt.Fprintf(w, "complete -c pocket %s -s %s\n", cond, f[1:])
			}
		}
		for _, k := range strings.Fields(n.kinds) {
			fmt.Fprintf(w, "complete -c pocket %s -a '(%s)'\n", cond, completionNames("pocket", k))
		}
	}
}
