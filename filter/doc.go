// Package filter parses Docker's --filter KEY=VALUE arguments and matches
// listed objects against them: values of one key are ORed, keys ANDed.
package filter
