package dev.tracker;

import dev.tracker.internal.RunContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The tags a run starts with: the standard ones, its name, seeding, parent and the user's. */
final class StartTags {
  private StartTags() {}

  /**
   * The start tags of a run.
   *
   * @param standard the tracker's standard tags (empty when they are off)
   * @param parentId the parent run's id, or null
   * @param hooks the seed hooks that seeded frameworks for the run
   * @param user the tags given at start, validated here
   */
  static Map<String, String> of(Map<String, String> standard, String runName, String parentId,
      List<String> hooks, Map<String, String> user) {
    Map<String, String> tags = new HashMap<>(standard);
    tags.put(RunContext.RUN_NAME, runName);
    tags.put(Seeds.GENERATOR_TAG, Seeds.GENERATOR_ALGORITHM);
    if (parentId != null) {
      tags.put(RunContext.PARENT_RUN_ID, parentId);
    }
    if (!hooks.isEmpty()) {
      tags.put("tracker.seed.hooks", String.join(",", hooks));
    }
    for (Map.Entry<String, String> e : user.entrySet()) {
      Tag t = new Tag(e.getKey(), e.getValue());
      tags.put(t.key(), t.value());
    }
    return tags;
  }
}
