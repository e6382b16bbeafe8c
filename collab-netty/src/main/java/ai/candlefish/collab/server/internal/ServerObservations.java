package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.spi.DocumentKey;

/**
 * Observes the server's work (authenticate, load, apply, store) from start to end, for tracing: the default observes
 * nothing; {@link MicrometerObservations} starts a Micrometer {@code Observation} for each, which becomes a span when
 * the host has tracing on. This interface names no Micrometer type, so the server runs without Micrometer.
 *
 * <p>Implementations are thread-safe and cheap: a piece of work may start on one thread and end on another.
 */
public interface ServerObservations {
  /** Observes nothing. */
  ServerObservations NONE = new ServerObservations() {};

  /** The work that is observed. */
  enum Work {
    /** One authenticator call for one connection. */
    AUTHENTICATE,
    /** Loading one document from the store. */
    LOAD,
    /** Applying one client's update to its document. */
    APPLY,
    /** One store call (append or replace) for one document. */
    STORE
  }

  /**
   * Starts observing {@code work}.
   *
   * @param protocol the connection's wire protocol, or null for work that belongs to no connection (load, store)
   * @param key the document, or null for authentication
   * @param connection the connection's id, or -1 for work that belongs to no connection
   * @return what the caller stops once, when the work has ended
   */
  default Observed start(Work work, String protocol, DocumentKey key, long connection) {
    return Observed.NONE;
  }

  /** One piece of work under observation. */
  @FunctionalInterface
  interface Observed {
    /** Stops nothing. */
    Observed NONE = (outcome, error) -> {};

    /**
     * The work ended with {@code outcome} ({@code "success"}, {@code "failure"}, or a word of the work's own, such
     * as {@code "refused"} for a token) and, if it failed, {@code error} (else null).
     */
    void stop(String outcome, Throwable error);
  }
}
