/** Internals of the starter: not API, may change in any release. */
package ai.candlefish.collab.spring.internal;
