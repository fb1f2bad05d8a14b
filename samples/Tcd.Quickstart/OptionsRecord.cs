using System.Text.Json;
using System.Text.Json.Nodes;
using Tcd.Experiments;
using Tcd.Models.Runtime;
using Tcd.Models.Training;

namespace Tcd.Quickstart;

/// <summary>
/// The options a quickstart result was made with, kept beside it as a JSON object (option name without "--" → value),
/// so that a later invocation can tell whether the result is the one its own options ask for.
/// </summary>
internal static class OptionsRecord
{
    /// <summary>Writes <paramref name="options"/> to <paramref name="path"/> atomically (its folder is created when missing).</summary>
    public static void Write(string path, JsonObject options) => CheckpointStore.ReplaceAtomically(path, options.ToJsonString(TcdJson.Indented));

    /// <summary>
    /// Each option of <paramref name="now"/> that the record at <paramref name="path"/> holds with another value: its key
    /// and <c>--option old (now new)</c>. An option the record lacks differs only with <paramref name="lackingDiffers"/>;
    /// without it, it is not compared (records of older versions lack options they did not record yet).
    /// </summary>
    /// <param name="path">The recorded options.</param>
    /// <param name="now">The options of this invocation.</param>
    /// <param name="remedy">What the user can do when the record is damaged, e.g. "delete 'runs/quickstart/moe' to pre-train that model again".</param>
    /// <param name="lackingDiffers">Whether an option missing from the record counts as a difference.</param>
    /// <exception cref="InvalidDataException">The record is not a JSON object; the message names the file and <paramref name="remedy"/>.</exception>
    public static IReadOnlyList<(string Option, string Description)> Differences(string path, JsonObject now, string remedy, bool lackingDiffers)
    {
        JsonObject started;
        try
        {
            started = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new JsonException("the file does not hold a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is damaged ({ex.Message}); {remedy}.", ex);
        }

        return OptionRecords.Differences(started, now, lackingDiffers);
    }
}
