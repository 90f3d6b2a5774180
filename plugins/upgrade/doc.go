// Package upgrade tests upgrades: it builds the previous release from
// the repository's git history, runs it, then runs this build on the
// same state, and checks that nothing is lost or repeated across the
// upgrade. It has no code of its own, only tests; they are skipped only
// when the git history is not available (a shallow clone, a source
// archive).
package upgrade
