using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace Tcd.Experiments.Glue;

/// <summary>Identifies one grid cell: a model fine-tuned on a task with one configuration and one seed.</summary>
/// <param name="Model">Model name (a row of the results table).</param>
/// <param name="Task">Official GLUE task name, e.g. <c>"STS-B"</c>.</param>
/// <param name="Configuration">Mode, learning rate and adapter size.</param>
/// <param name="Seed">Seed of the task head, adapters, shuffling and dropout.</param>
public sealed record GlueCellKey(string Model, string Task, GlueConfiguration Configuration, long Seed)
{
    /// <summary>
    /// File name (without folder) of the cell's result, unique per key and safe on every file system, e.g.
    /// <c>tcd__STS-B__adapters__lr3e-04__a64__s2.json</c>.
    /// </summary>
    [JsonIgnore]
    public string FileName => FileNameWith(Configuration.LearningRateText);

    /// <summary>
    /// The <see cref="FileName"/> that earlier versions wrote, with the learning rate in .NET's round-trip form
    /// (<c>lr5E-05</c>, <c>lr0.0003</c>); the suite looks for it so that a suite started by them resumes.
    /// </summary>
    internal string LegacyFileName => FileNameWith(Configuration.LearningRate.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>A one-line description for progress output.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Model} {Task} {Configuration} seed={Seed}");

    private string FileNameWith(string learningRate)
    {
        var mode = GlueConfiguration.ModeName(Configuration.Mode);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{SafeName(Model)}__{SafeName(Task)}__{mode}__lr{learningRate}__a{Configuration.AdapterSize}__s{Seed}.json");
    }

    /// <summary>Replaces every character but ASCII letters, digits, '-' and '.' with '_', for file and folder names.</summary>
    internal static string SafeName(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (var character in name)
        {
            text.Append(char.IsAsciiLetterOrDigit(character) || character is '-' or '.' ? character : '_');
        }

        return text.ToString();
    }
}
