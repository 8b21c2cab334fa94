package seccomp

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// rule is one profile rule: its conditions all hold (on one syscall of
// names) and the filter returns ret.
type rule struct {
	names []string
	args  []specs.LinuxSeccompArg
	ret   uint32
}

// ref is a syscall name the profile mentions, with the rule it is in
// (-1 when that rule was dropped).
type ref struct {
	name string
	rule int
}

// expand checks a profile's rules and returns those that matter, and
// every name the profile mentions, sorted (the ENOSYS threshold is taken
// over all of them, as runc does). As runc does: a rule whose action is
// the default is dropped; conditions on the same argument are
// alternatives, each its own rule; names no table knows are ignored
// later, so a profile written for a newer kernel still loads.
func expand(calls []specs.LinuxSyscall, def uint32) ([]rule, []ref, error) {
	rules := make([]rule, 0, len(calls))
	refs := make([]ref, 0, 8*len(calls))
	for _, c := range calls {
		ret, err := action(c.Action, c.ErrnoRet)
		if err != nil {
			return nil, nil, err
		}
		var seen [6]bool
		split := false
		for _, a := range c.Args {
			if a.Index > 5 {
				return nil, nil, fmt.Errorf("%w: syscall %v: argument index %d (a syscall has 6)", ErrProfile, c.Names, a.Index)
			}
			switch a.Op {
			case specs.OpNotEqual, specs.OpLessThan, specs.OpLessEqual, specs.OpEqualTo,
				specs.OpGreaterEqual, specs.OpGreaterThan, specs.OpMaskedEqual:
			default:
				return nil, nil, fmt.Errorf("%w: syscall %v: unknown operator %q", ErrProfile, c.Names, a.Op)
			}
			split = split || seen[a.Index]
			seen[a.Index] = true
		}
		first := len(rules)
		switch {
		case ret == def:
			for _, n := range c.Names {
				refs = append(refs, ref{n, -1})
			}
			continue
		case !split:
			rules = append(rules, rule{names: c.Names, args: c.Args, ret: ret})
		default:
			for _, a := range c.Args {
				rules = append(rules, rule{names: c.Names, args: []specs.LinuxSeccompArg{a}, ret: ret})
			}
		}
		for i := first; i < len(rules); i++ {
			for _, n := range c.Names {
				refs = append(refs, ref{n, i})
			}
		}
	}
	slices.SortFunc(refs, func(x, y ref) int {
		if c := strings.Compare(x.name, y.name); c != 0 {
			return c
		}
		return cmp.Compare(x.rule, y.rule)
	})
	return rules, refs, nil
}

// interval is a run of syscall numbers from lo up to the next interval's
// lo that the filter treats alike: code, or a plain return of ret.
type interval struct {
	lo   uint32
	ret  uint32
	code []bpf.RawInstruction
}

// intervals cuts an ABI's numbers into runs: the rules' syscalls, the
// default between them and, when enosys, ENOSYS above the highest number
// the profile mentions.
func intervals(a *abi, rules []rule, refs []ref, def uint32, enosys bool) []interval {
	// Both lists are sorted by name: one pass pairs them, and yields
	// (number, rule) pairs, sorted by number, each number's rules in
	// profile order.
	type use struct {
		nr   uint32
		rule int
	}
	uses := make([]use, 0, len(refs))
	var last uint32
	found := false
	for i, j := 0, 0; i < len(refs) && j < len(a.table); {
		switch c := strings.Compare(refs[i].name, a.table[j].name); {
		case c < 0:
			i++
		case c > 0:
			j++
		default:
			nr := a.table[j].nr | a.base
			if !found || nr > last {
				last, found = nr, true
			}
			if refs[i].rule >= 0 {
				uses = append(uses, use{nr, refs[i].rule})
			}
			i++
		}
	}
	slices.SortFunc(uses, func(x, y use) int {
		if c := cmp.Compare(x.nr, y.nr); c != 0 {
			return c
		}
		return cmp.Compare(x.rule, y.rule)
	})

	out := make([]interval, 0, 64)
	add := func(lo, ret uint32, code []bpf.RawInstruction) {
		if n := len(out); n > 0 && code == nil && out[n-1].code == nil && out[n-1].ret == ret {
			return
		}
		out = append(out, interval{lo: lo, ret: ret, code: code})
	}
	next := uint64(a.base) // uint64: the last number may be 2^32-1
	var same []rule
	for i := 0; i < len(uses); {
		nr := uses[i].nr
		same = same[:0]
		for ; i < len(uses) && uses[i].nr == nr; i++ {
			same = append(same, rules[uses[i].rule])
		}
		if uint64(nr) > next {
			add(uint32(next), def, nil)
		}
		ret, code := block(same, def, a.wide)
		add(nr, ret, code)
		next = uint64(nr) + 1
	}
	if !found || !enosys {
		if next <= uint64(a.top) {
			add(uint32(next), def, nil)
		}
		return out
	}
	if next <= uint64(last) {
		add(uint32(next), def, nil)
	}
	if last < a.top {
		add(last+1, retENOSYS, nil)
	}
	return out
}

// block is what a syscall's rules compile to: a plain return when the
// first applicable rule has no conditions, else the checks in order.
// Conditional rules go before unconditional ones: in libseccomp the more
// specific rule wins.
func block(rules []rule, def uint32, wide bool) (uint32, []bpf.RawInstruction) {
	if len(rules) == 1 && len(rules[0].args) == 0 {
		return rules[0].ret, nil
	}
	rules = slices.Clone(rules)
	slices.SortStableFunc(rules, func(x, y rule) int {
		return cmp.Compare(min(len(y.args), 1), min(len(x.args), 1))
	})
	if len(rules[0].args) == 0 {
		return rules[0].ret, nil
	}
	var code []bpf.RawInstruction
	for _, r := range rules {
		if len(r.args) == 0 {
			return 0, append(code, ret(r.ret))
		}
		code = append(code, ruleCode(r, wide)...)
	}
	return 0, append(code, ret(def))
}

// Classic BPF instructions, built directly: the compiler runs on every
// container start and x/net/bpf's Instruction values cost an allocation
// each.
func ret(k uint32) bpf.RawInstruction { return bpf.RawInstruction{Op: unix.BPF_RET | unix.BPF_K, K: k} }

func load(off uint32) bpf.RawInstruction {
	return bpf.RawInstruction{Op: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: off}
}

func and(k uint32) bpf.RawInstruction {
	return bpf.RawInstruction{Op: unix.BPF_ALU | unix.BPF_AND | unix.BPF_K, K: k}
}

// jmp is a conditional jump: BPF_JEQ, BPF_JGT or BPF_JGE against k.
func jmp(op uint16, k uint32, jt, jf uint8) bpf.RawInstruction {
	return bpf.RawInstruction{Op: unix.BPF_JMP | op | unix.BPF_K, Jt: jt, Jf: jf, K: k}
}

func ja(k uint32) bpf.RawInstruction { return bpf.RawInstruction{Op: unix.BPF_JMP | unix.BPF_JA, K: k} }

// Where a condition's jump goes: on to its next instruction, out of it
// (the condition holds), or past the rule's return (the rule fails).
type target uint8

const (
	toNext target = iota
	toPass
	toFail
)

// step is one instruction of a condition, its jump targets symbolic.
type step struct {
	ins  bpf.RawInstruction
	t, f target
}

func ins(i bpf.RawInstruction) step { return step{ins: i} }

func test(op uint16, k uint32, t, f target) step {
	return step{ins: jmp(op, k, 0, 0), t: t, f: f}
}

// ruleCode checks every condition of r and returns r.ret; a failed check
// jumps past the return, to the next rule.
func ruleCode(r rule, wide bool) []bpf.RawInstruction {
	var conds [][]step
	n := 1 // the return
	for _, a := range r.args {
		s := condSteps(a, wide)
		conds = append(conds, s)
		n += len(s)
	}
	code := make([]bpf.RawInstruction, 0, n)
	for _, s := range conds {
		end := len(code) + len(s)
		for _, st := range s {
			i := st.ins
			if i.Op&0x07 == unix.BPF_JMP {
				at := len(code) + 1
				skip := func(t target) uint8 {
					switch t {
					case toPass:
						return uint8(end - at)
					case toFail:
						return uint8(n - at)
					}
					return 0
				}
				i.Jt, i.Jf = skip(st.t), skip(st.f)
			}
			code = append(code, i)
		}
	}
	return append(code, ret(r.ret))
}

// condSteps compares one 64-bit argument with a profile value in 32-bit
// halves: the high half decides unless equal. On 32-bit ABIs only the
// low half is compared.
func condSteps(a specs.LinuxSeccompArg, wide bool) []step {
	lo := ins(load(uint32(offArgs + 8*a.Index)))
	hi := ins(load(uint32(offArgs + 8*a.Index + 4)))
	vlo, vhi := uint32(a.Value), uint32(a.Value>>32)
	const jeq, jgt, jge = unix.BPF_JEQ, unix.BPF_JGT, unix.BPF_JGE
	var h, l []step
	switch a.Op {
	case specs.OpEqualTo:
		h = []step{hi, test(jeq, vhi, toNext, toFail)}
		l = []step{lo, test(jeq, vlo, toPass, toFail)}
	case specs.OpNotEqual:
		h = []step{hi, test(jeq, vhi, toNext, toPass)}
		l = []step{lo, test(jeq, vlo, toFail, toPass)}
	case specs.OpGreaterThan, specs.OpGreaterEqual:
		h = []step{hi, test(jgt, vhi, toPass, toNext), test(jeq, vhi, toNext, toFail)}
		var op uint16 = jgt
		if a.Op == specs.OpGreaterEqual {
			op = jge
		}
		l = []step{lo, test(op, vlo, toPass, toFail)}
	case specs.OpLessThan, specs.OpLessEqual:
		h = []step{hi, test(jge, vhi, toNext, toPass), test(jeq, vhi, toNext, toFail)}
		var op uint16 = jge
		if a.Op == specs.OpLessEqual {
			op = jgt
		}
		l = []step{lo, test(op, vlo, toFail, toPass)}
	case specs.OpMaskedEqual:
		// (arg & Value) == ValueTwo
		wlo, whi := uint32(a.ValueTwo), uint32(a.ValueTwo>>32)
		h = []step{hi, ins(and(vhi)), test(jeq, whi, toNext, toFail)}
		l = []step{lo, ins(and(vlo)), test(jeq, wlo, toPass, toFail)}
	}
	if !wide {
		return l
	}
	return append(h, l...)
}

// tree is a binary search over the intervals on the syscall number in
// the accumulator: log2(n) comparisons per syscall rather than a walk
// down the list.
func tree(out []bpf.RawInstruction, iv []interval) []bpf.RawInstruction {
	if len(iv) == 1 {
		if iv[0].code != nil {
			return append(out, iv[0].code...)
		}
		return append(out, ret(iv[0].ret))
	}
	mid := len(iv) / 2
	left := treeSize(iv[:mid])
	k := iv[mid].lo
	if left <= 255 {
		out = append(out, jmp(unix.BPF_JGE, k, uint8(left), 0))
	} else {
		// A conditional jump reaches 255 instructions; a long one goes
		// through ja.
		out = append(out, jmp(unix.BPF_JGE, k, 0, 1), ja(uint32(left)))
	}
	out = tree(out, iv[:mid])
	return tree(out, iv[mid:])
}

// treeSize is the length of tree(iv).
func treeSize(iv []interval) int {
	if len(iv) == 1 {
		return max(len(iv[0].code), 1)
	}
	mid := len(iv) / 2
	left := treeSize(iv[:mid])
	n := 1 + left + treeSize(iv[mid:])
	if left > 255 {
		n++
	}
	return n
}
