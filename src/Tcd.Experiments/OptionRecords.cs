using System.Text.Json.Nodes;

namespace Tcd.Experiments;

/// <summary>
/// Compares the options a run folder recorded when its run started (a JSON object of option name without "--" → value,
/// as <c>tcd</c>'s <c>tcd-config.json</c> and the quickstart's records hold them) with those of a later invocation, so
/// that <c>tcd</c> and the samples name a difference alike: <c>--lr 0.0001 (now 0.01)</c>.
/// </summary>
public static class OptionRecords
{
    /// <summary>Each option of <paramref name="now"/> that <paramref name="started"/> holds with another value: its key and <c>--option old (now new)</c>.</summary>
    /// <param name="started">The options the run started with.</param>
    /// <param name="now">The options of this invocation, in the order the differences are listed.</param>
    /// <param name="lackingDiffers">
    /// Whether an option <paramref name="started"/> lacks counts as a difference; without it, it is not compared (a
    /// record of an older version lacks the options that version did not record yet).
    /// </param>
    public static IReadOnlyList<(string Option, string Description)> Differences(
        JsonObject started, IEnumerable<KeyValuePair<string, JsonNode?>> now, bool lackingDiffers = false)
    {
        ArgumentNullException.ThrowIfNull(started);
        ArgumentNullException.ThrowIfNull(now);
        return now
            .Where(option => started.TryGetPropertyValue(option.Key, out var before) ? !JsonNode.DeepEquals(before, option.Value) : lackingDiffers)
            .Select(option => (option.Key, $"--{option.Key} {Show(started[option.Key])} (now {Show(option.Value)})"))
            .ToList();
    }

    private static string Show(JsonNode? value) => value switch
    {
        null => "unset",
        JsonValue single when single.TryGetValue<string>(out var text) => text,
        _ => value.ToJsonString(),
    };
}
