/**
 * Reliability and security tests across modules: faults (killed processes, server outages, disk
 * trouble, two writers), load, bad input and secret scanning. RELIABILITY.md lists each scenario,
 * the test that runs it and its last figures.
 */
package dev.tracker.reliability;
