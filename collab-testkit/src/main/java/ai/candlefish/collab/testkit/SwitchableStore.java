package ai.candlefish.collab.testkit;

import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.StoreException;
import ai.candlefish.collab.spi.StoredDocument;

/**
 * The database going down and coming back, for the tests: an {@link InMemoryDocumentStore} ({@link #delegate})
 * whose every call fails with {@link StoreException} while {@link #down} is set.
 */
public final class SwitchableStore implements DocumentStore {
  /** Where the documents are, whatever {@link #down} says. */
  public final InMemoryDocumentStore delegate = new InMemoryDocumentStore();
  /** While true, every call fails. */
  public volatile boolean down;

  private void check() {
    if (down) {
      throw new StoreException("connection refused (the database is down)");
    }
  }

  @Override
  public StoredDocument load(DocumentKey key) {
    check();
    return delegate.load(key);
  }

  @Override
  public void append(DocumentKey key, byte[] update) {
    check();
    delegate.append(key, update);
  }

  @Override
  public void replace(DocumentKey key, byte[] state) {
    check();
    delegate.replace(key, state);
  }

  @Override
  public void delete(DocumentKey key) {
    check();
    delegate.delete(key);
  }
}
