package run

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// jsonKeys lists the keys of the JSON object v encodes to, in order.
func jsonKeys(t *testing.T, v any) []string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.Token() // {
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// Docker 20.10's container inspect keys in its order (API ContainerJSON;
// SizeRw and SizeRootFs only with --size), so that scripts and tools that
// read the document positionally or by name find them.
func TestInspectKeys(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
		want []string
	}{
		{"top", Inspection{}, []string{"Id", "Created", "Path", "Args", "State", "Image", "ResolvConfPath",
			"HostnamePath", "HostsPath", "LogPath", "Name", "RestartCount", "Driver", "Platform", "MountLabel",
			"ProcessLabel", "AppArmorProfile", "ExecIDs", "HostConfig", "GraphDriver", "Mounts", "Config", "NetworkSettings"}},
		{"Config", InspectConfig{}, []string{"Hostname", "Domainname", "User", "AttachStdin", "AttachStdout",
			"AttachStderr", "Tty", "OpenStdin", "StdinOnce", "Env", "Cmd", "Image", "Volumes", "WorkingDir",
			"Entrypoint", "OnBuild", "Labels"}},
		{"NetworkSettings", NetworkSettings{}, []string{"Bridge", "SandboxID", "HairpinMode", "LinkLocalIPv6Address",
			"LinkLocalIPv6PrefixLen", "Ports", "SandboxKey", "SecondaryIPAddresses", "SecondaryIPv6Addresses",
			"EndpointID", "Gateway", "GlobalIPv6Address", "GlobalIPv6PrefixLen", "IPAddress", "IPPrefixLen",
			"IPv6Gateway", "MacAddress", "Networks"}},
		{"endpoint", EndpointConfig{}, []string{"IPAMConfig", "Links", "Aliases", "NetworkID", "EndpointID",
			"Gateway", "IPAddress", "IPPrefixLen", "IPv6Gateway", "GlobalIPv6Address", "GlobalIPv6PrefixLen",
			"MacAddress", "DriverOpts"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, jsonKeys(t, tc.v)); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
		})
	}
}
