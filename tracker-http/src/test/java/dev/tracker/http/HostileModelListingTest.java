package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracker.ModelVersion;
import dev.tracker.spi.ModelStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server's listing of a model version's files is not trusted: a name that is no file name and
 * a tree that never ends (a folder listed inside itself) end the download with a clear error,
 * where they recursed until the stack overflowed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileModelListingTest {
  private static final ModelVersion V = new ModelVersion("iris", 1, "r1", "model",
      "mlflow-artifacts:/1/r1/artifacts/model", List.of(), Map.of(), 0);

  @TempDir Path spool;

  /** A server whose listing of folder {@code path} (under the model) is {@code listing}. */
  private static final class Listing extends Dispatcher {
    final AtomicInteger lists = new AtomicInteger();
    private final Function<String, String> listing;

    Listing(Function<String, String> listing) {
      this.listing = listing;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getUrl().encodedPath();
      String body;
      if (path.endsWith("/model-versions/get-download-uri")) {
        body = "{\"artifact_uri\": \"mlflow-artifacts:/1/r1/artifacts/model\"}";
      } else if (path.equals("/api/2.0/mlflow-artifacts/artifacts")) {
        lists.incrementAndGet();
        String dir = request.getUrl().queryParameter("path");
        body = listing.apply(dir.equals("1/r1/artifacts/model") ? ""
            : dir.substring("1/r1/artifacts/model/".length()));
      } else {
        return new MockResponse.Builder().code(404).body("{}").build();
      }
      return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
          .body(body).build();
    }
  }

  private List<String> files(Listing listing) throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.setDispatcher(listing);
      server.start();
      try (MlflowBackend backend = Fixtures.backend(server, spool).build()) {
        ModelStore store = backend.modelStore().orElseThrow();
        return store.files(V);
      }
    }
  }

  @Test
  void aListingOfFoldersAndFilesIsReadDepthFirstInItsOrder() throws Exception {
    Listing listing = new Listing(dir -> switch (dir) {
      case "" -> "{\"files\": [{\"path\": \"MLmodel\"}, {\"path\": \"data\", \"is_dir\": true},"
          + " {\"path\": \"1/r1/artifacts/model/z.txt\"}]}";
      case "data" -> "{\"files\": [{\"path\": \"w.bin\"}, {\"path\": \"sub\", \"is_dir\": true}]}";
      case "data/sub" -> "{}";
      default -> throw new AssertionError(dir);
    });
    assertThat(files(listing)).containsExactly("MLmodel", "data/w.bin", "z.txt");
    assertThat(listing.lists).hasValue(3);
  }

  @Test
  void aFolderListedInsideItselfEndsTheListingInsteadOfRecursingForever() {
    Listing listing = new Listing(dir -> "{\"files\": [{\"path\": \"loop\", \"is_dir\": true}]}");
    assertThatThrownBy(() -> files(listing)).isExactlyInstanceOf(IOException.class)
        .hasMessage("the files of model version iris/1 cannot be downloaded: the server listed"
            + " folders more than 64 deep ('" + "loop/".repeat(64) + "loop'), a folder inside"
            + " itself");
    assertThat(listing.lists).hasValue(65); // the model folder and 64 folders in it
  }

  @Test
  void aListedNameThatIsNoFileNameIsRefused() {
    for (String name : List.of("..", ".", "", "a/..", "x/")) {
      Listing listing = new Listing(dir -> dir.isEmpty()
          ? "{\"files\": [{\"path\": \"ok\"}, {\"path\": \"" + name + "\", \"is_dir\": true}]}"
          : "{}");
      assertThatThrownBy(() -> files(listing)).as(name).isExactlyInstanceOf(IOException.class)
          .hasMessage("the files of model version iris/1 cannot be downloaded: the server listed"
              + " '" + name + "' in '.', which is not a file name");
    }
  }

  @Test
  void aPathListedIsCutToItsFileNameAndStaysInTheModel() throws Exception {
    Listing listing = new Listing(dir -> "{\"files\": [{\"path\": \"../../etc/passwd\"},"
        + " {\"path\": \"/abs/x\"}]}");
    assertThat(files(listing)).containsExactly("passwd", "x");
  }

  @Test
  void aListingOfMoreEntriesThanTheLimitEnds() {
    StringBuilder many = new StringBuilder("{\"files\": [");
    for (int i = 0; i < 2_001; i++) {
      many.append(i == 0 ? "" : ", ").append("{\"path\": \"f").append(i).append("\"}");
    }
    String page = many.append("]}").toString();
    // 50 folders of 2001 files each: more than 100,000 entries
    Listing listing = new Listing(dir -> dir.isEmpty() ? dirs(50) : page);
    assertThatThrownBy(() -> files(listing)).isExactlyInstanceOf(IOException.class)
        .hasMessage("the files of model version iris/1 cannot be downloaded: the server listed"
            + " more than 100000 files and folders");
  }

  private static String dirs(int n) {
    StringBuilder out = new StringBuilder("{\"files\": [");
    for (int i = 0; i < n; i++) {
      out.append(i == 0 ? "" : ", ").append("{\"path\": \"d").append(i)
          .append("\", \"is_dir\": true}");
    }
    return out.append("]}").toString();
  }
}
