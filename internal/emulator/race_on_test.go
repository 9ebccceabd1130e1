//go:build race

package emulator

// raceEnabled: the race detector slows the emulator ~10x, so the big-folder test pages fewer
// files and skips its timing bound.
const raceEnabled = true
