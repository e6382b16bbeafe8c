package ai.candlefish.collab.testing;

import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.simple.SimpleServiceProvider;
import org.slf4j.spi.MDCAdapter;

/**
 * slf4j-simple with a working MDC (its own provider drops MDC values, since it never prints them), so that tests can
 * read what the server put there. Chosen for the test JVM by the {@code slf4j.provider} system property (pom).
 */
public final class MdcSimpleServiceProvider extends SimpleServiceProvider {
  private final MDCAdapter mdc = new BasicMDCAdapter();

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }
}
