package dev.tracker.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RemoteDeliveryTest {
  @Test
  void theJournalFolderOfAServerIgnoresCredentialsCaseTrailingSlashAndDefaultPort() {
    Path root = Path.of("/s");
    Path a = RemoteDelivery.journalDirectory(root, URI.create("https://u:p@Example.com:443/t/"));
    assertThat(a).isEqualTo(RemoteDelivery.journalDirectory(root,
        URI.create("https://example.com/t")));
    assertThat(a.getParent()).isEqualTo(root);
    assertThat(a.getFileName().toString()).matches("[0-9a-f]{16}");
    assertThat(RemoteDelivery.journalDirectory(root, URI.create("http://example.com:80/t")))
        .isEqualTo(RemoteDelivery.journalDirectory(root, URI.create("http://example.com/t")))
        .isNotEqualTo(a);
    assertThat(a).isNotEqualTo(RemoteDelivery.journalDirectory(root,
        URI.create("https://example.com/x")));
  }
}
