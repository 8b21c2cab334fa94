package run

import (
	"encoding/json"
	"os"
	"os/exec"

	"pocket/cgroup"
	"pocket/ns"
)

// childPipes are what a pocket child started into a container (init, or
// exec-init) is given besides its command line: its config pipe
// (ns.ConfigFD), its error pipe (ns.ErrorFD, close-on-exec in the child,
// so EOF means it exec'd) and its cgroup. On cgroup v2 the kernel starts
// it in the cgroup (CLONE_INTO_CGROUP); on v1 it is added before it is
// sent its config, which it waits for before it runs anything of the
// container, so either way nothing of the container runs outside the
// cgroup.
type childPipes struct {
	cg               *cgroup.Cgroup
	cgFD             *os.File // v2: the cgroup's directory, for CLONE_INTO_CGROUP
	configR, configW *os.File
	errR, errW       *os.File
}

// newChildPipes makes the pipes and sets up cmd (whose SysProcAttr must
// be set) to start into cg: ExtraFiles begin with ns.ConfigFD and
// ns.ErrorFD; the caller may append the descriptors that follow. close
// releases them all.
func newChildPipes(cmd *exec.Cmd, cg *cgroup.Cgroup) (*childPipes, error) {
	p := &childPipes{cg: cg}
	if fd, intoCgroup := cgroupFD(cg); intoCgroup {
		p.cgFD = fd
		cmd.SysProcAttr.UseCgroupFD = true
		cmd.SysProcAttr.CgroupFD = int(fd.Fd())
	}
	var err error
	if p.configR, p.configW, err = os.Pipe(); err != nil {
		p.close()
		return nil, err
	}
	if p.errR, p.errW, err = os.Pipe(); err != nil {
		p.close()
		return nil, err
	}
	cmd.ExtraFiles = []*os.File{p.configR, p.errW}
	return p, nil
}

// started drops the child's ends once it is started (or failed to be):
// the error pipe then reads EOF when the child execs or dies.
func (p *childPipes) started() {
	closeFile(&p.configR)
	closeFile(&p.errW)
}

// placeInCgroup adds the started child to its cgroup where the kernel did
// not start it there (cgroup v1).
func (p *childPipes) placeInCgroup(pid int) error {
	if p.cgFD != nil || p.cg == nil {
		return nil
	}
	return p.cg.Add(pid)
}

// send writes the child's one config and closes the pipe.
func (p *childPipes) send(cfg any) error {
	if err := json.NewEncoder(p.configW).Encode(cfg); err != nil {
		return err
	}
	closeFile(&p.configW)
	return nil
}

// wait returns the child's setup error, or nil once it exec'd.
func (p *childPipes) wait() error { return ns.ReadError(p.errR) }

// close releases every descriptor still held.
func (p *childPipes) close() {
	for _, f := range []**os.File{&p.cgFD, &p.configR, &p.configW, &p.errR, &p.errW} {
		closeFile(f)
	}
}

func closeFile(f **os.File) {
	if *f != nil {
		(*f).Close()
		*f = nil
	}
}
