/**
 * The crdt-benchmarks suite (dmonad/crdt-benchmarks: B1.1–B1.11, B2.1–B2.4, B3.1–B3.5, B4, B4×100) for
 * collab-core, side by side with the same suite for Yjs and the peers in benchmarks/js/crdt-bench.mjs.
 */
package ai.candlefish.collab.benchmarks.crdtbench;
