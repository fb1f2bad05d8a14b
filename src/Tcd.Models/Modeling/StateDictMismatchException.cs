namespace Tcd.Models.Modeling;

/// <summary>
/// Thrown when a weights file does not fit a model: tensors the model needs are missing, the file has tensors the
/// model does not know, or shapes differ. The message lists every problem.
/// </summary>
public sealed class StateDictMismatchException : IOException
{
    /// <summary>Creates the exception for the weights at <paramref name="path"/> (a file, or a description of the source).</summary>
    public StateDictMismatchException(string path, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> shapeMismatches)
        : base(BuildMessage(path, missing, unexpected, shapeMismatches))
    {
        Missing = missing;
        Unexpected = unexpected;
        ShapeMismatches = shapeMismatches;
    }

    /// <summary>Names the model has but the file lacks.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Names the file has but the model lacks.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>One line per tensor whose shape differs: <c>name: file [..] vs model [..]</c>.</summary>
    public IReadOnlyList<string> ShapeMismatches { get; }

    private static string BuildMessage(string path, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> shapeMismatches)
    {
        var lines = new List<string>
        {
            $"The weights in '{path}' do not match the model built from its configuration; check that the configuration " +
            "(config.json) and the weights (model.safetensors) come from the same saved model.",
        };
        if (missing.Count > 0)
        {
            lines.Add($"Missing from the file ({missing.Count}): {string.Join(", ", missing)}");
        }

        if (unexpected.Count > 0)
        {
            lines.Add($"Not in the model ({unexpected.Count}): {string.Join(", ", unexpected)}");
        }

        if (shapeMismatches.Count > 0)
        {
            lines.Add($"Shape differs ({shapeMismatches.Count}): {string.Join("; ", shapeMismatches)}");
        }

        return string.Join(Environment.NewLine, lines);
    }
}
