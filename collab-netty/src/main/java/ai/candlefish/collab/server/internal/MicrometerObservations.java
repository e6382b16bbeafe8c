package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.spi.DocumentKey;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

/**
 * {@link ServerObservations} as Micrometer {@link Observation}s (spans with tracing on; timers, with the registry's
 * meter handler). Names and key values:
 *
 * <ul>
 *   <li>{@code collab.server.authenticate} (span {@code collab authenticate}): low cardinality {@code protocol},
 *       {@code outcome} (success, refused, expired, error); high cardinality {@code collab.connection};
 *   <li>{@code collab.server.load} (span {@code collab load}): {@code outcome} (success, failure); high cardinality
 *       {@code collab.tenant}, {@code collab.document};
 *   <li>{@code collab.server.apply} (span {@code collab apply}): {@code protocol}, {@code outcome} (success,
 *       refused); high cardinality {@code collab.tenant}, {@code collab.document}, {@code collab.connection};
 *   <li>{@code collab.server.store} (span {@code collab store}): {@code outcome} (success, failure); high
 *       cardinality {@code collab.tenant}, {@code collab.document}.
 * </ul>
 *
 * <p>Tenants and documents are high cardinality (their number is not bounded), so they reach spans but not meters.
 * The names differ from the server's own meters ({@code collab.store}, {@code collab.document.load}), so a meter
 * handler's timers do not collide with them. Only loaded when a registry is given, so Micrometer stays optional.
 */
public final class MicrometerObservations implements ServerObservations {
  private final ObservationRegistry registry;

  public MicrometerObservations(ObservationRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Observed start(Work work, String protocol, DocumentKey key, long connection) {
    String verb = switch (work) {
      case AUTHENTICATE -> "authenticate";
      case LOAD -> "load";
      case APPLY -> "apply";
      case STORE -> "store";
    };
    Observation observation = Observation.createNotStarted("collab.server." + verb, registry)
        .contextualName("collab " + verb);
    if (protocol != null) {
      observation.lowCardinalityKeyValue("protocol", protocol);
    }
    if (key != null) {
      observation.highCardinalityKeyValue("collab.tenant", key.tenant())
          .highCardinalityKeyValue("collab.document", key.name());
    }
    if (connection >= 0) {
      observation.highCardinalityKeyValue("collab.connection", Long.toString(connection));
    }
    observation.start();
    return (outcome, error) -> {
      observation.lowCardinalityKeyValue("outcome", outcome);
      if (error != null) {
        observation.error(error);
      }
      observation.stop();
    };
  }
}
