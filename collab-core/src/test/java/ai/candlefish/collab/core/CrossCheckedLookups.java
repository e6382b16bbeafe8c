package ai.candlefish.collab.core;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Every position lookup of a test walked from the search marker too ({@link SearchMarkers#crossCheck}), and a hint
 * left by every walk of more than one item ({@link SearchHints#worthKeeping}), so that hints are used everywhere,
 * not only after long walks; both restored after each test. For {@code @ExtendWith}.
 */
final class CrossCheckedLookups implements BeforeEachCallback, AfterEachCallback {
  private int worthKeeping;

  @Override
  public void beforeEach(ExtensionContext context) {
    worthKeeping = SearchHints.worthKeeping;
    SearchHints.worthKeeping = 1;
    SearchMarkers.crossCheck = true;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    SearchHints.worthKeeping = worthKeeping;
    SearchMarkers.crossCheck = false;
  }
}
