package ai.candlefish.collab.testkit;

import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.DocumentVersion;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.StoredDocument;
import ai.candlefish.collab.spi.VersionInfo;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A store for tests that change one or two of a store's answers (fail, wait, count): every call goes to
 * {@link #delegate}, an {@link InMemoryDocumentStore}, unless a subclass overrides it. Thread-safe as the delegate is.
 */
public class ForwardingDocumentStore implements DocumentStore {
  /** Where the documents are. */
  public final InMemoryDocumentStore delegate = new InMemoryDocumentStore();

  @Override
  public StoredDocument load(DocumentKey key) {
    return delegate.load(key);
  }

  @Override
  public void append(DocumentKey key, byte[] update) {
    delegate.append(key, update);
  }

  @Override
  public void replace(DocumentKey key, byte[] state) {
    delegate.replace(key, state);
  }

  @Override
  public void delete(DocumentKey key) {
    delegate.delete(key);
  }

  @Override
  public VersionInfo saveVersion(DocumentKey key, String label, String author, Instant createdAt, byte[] snapshot,
      byte[] state) {
    return delegate.saveVersion(key, label, author, createdAt, snapshot, state);
  }

  @Override
  public List<VersionInfo> listVersions(DocumentKey key) {
    return delegate.listVersions(key);
  }

  @Override
  public DocumentVersion loadVersion(DocumentKey key, long id) {
    return delegate.loadVersion(key, id);
  }

  @Override
  public void deleteVersions(DocumentKey key, Collection<Long> ids) {
    delegate.deleteVersions(key, ids);
  }

  @Override
  public Map<Long, String> loadClientOwners(DocumentKey key) {
    return delegate.loadClientOwners(key);
  }

  @Override
  public String claimClient(DocumentKey key, long clientId, String owner) {
    return delegate.claimClient(key, clientId, owner);
  }

  @Override
  public Map<Long, String> claimClients(DocumentKey key, Collection<Long> clientIds, String owner) {
    return delegate.claimClients(key, clientIds, owner);
  }
}
