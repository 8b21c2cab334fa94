// Command hello is the tiny program in pocket's test image "hello-world":
// a static binary that prints a greeting, as Docker's hello-world does.
package main

import "fmt"

func main() {
	fmt.Print(`
Hello from pocket!
This message shows that your installation appears to be working correctly.

To generate this message, pocket took the following steps:
 1. It pulled the "hello-world" image (or found it in its store).
 2. It unpacked the image's layers and started a container from it.
 3. The container ran this executable, which produced the output you are reading.
`)
}
