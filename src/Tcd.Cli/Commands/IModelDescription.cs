using System.Text.Json.Nodes;

namespace Tcd.Cli.Commands;

/// <summary>What <c>tcd info</c> prints of a folder: lines of text, or one JSON object with <c>--json</c>.</summary>
internal interface IModelDescription
{
    /// <summary>The description as lines for a console: a label, then what it says.</summary>
    IEnumerable<(string Label, string Text)> Lines();

    /// <summary>The description as a JSON object (snake_case keys; absent values are null).</summary>
    JsonObject ToJson();
}
