using System.Globalization;
using System.Text;
using System.Text.Json;
using Tcd.Models.Runtime;

namespace Tcd.Models.Training;

/// <summary>
/// Appends one row of named numbers per logged step to a JSON-lines file (<c>.jsonl</c>) or a CSV file
/// (any other extension) that a user can plot. Non-finite values are written as <c>null</c> (JSON) or an empty cell (CSV);
/// the CSV columns are those of the first row. On resume, rows after the checkpoint's step are dropped first so the
/// file never holds a step twice.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    // No byte-order mark: Python's json.loads rejects a JSON line that starts with one, and CSV readers would read it
    // into the first column's name.
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private readonly StreamWriter writer;
    private readonly bool isJsonLines;
    private string[]? csvColumns;

    private MetricsLog(string path, StreamWriter writer, string[]? csvColumns)
    {
        Path = path;
        this.writer = writer;
        this.csvColumns = csvColumns;
        isJsonLines = IsJsonLines(path);
    }

    /// <summary>The file written.</summary>
    public string Path { get; }

    /// <summary>Starts a new file, replacing any existing one.</summary>
    public static MetricsLog Create(string path)
    {
        EnsureFolder(path);
        return new MetricsLog(path, new StreamWriter(path, append: false, Utf8), csvColumns: null);
    }

    /// <summary>Opens an existing file for a resumed run, keeping only the rows whose <c>step</c> is at most <paramref name="lastStep"/>.</summary>
    public static MetricsLog Resume(string path, long lastStep)
    {
        if (!File.Exists(path))
        {
            return Create(path);
        }

        var isJsonLines = IsJsonLines(path);
        var lines = File.ReadAllLines(path);
        string[]? columns = null;
        var kept = new List<string>();
        if (isJsonLines)
        {
            kept.AddRange(lines.Where(line => line.Length > 0 && StepOfJsonLine(line) <= lastStep));
        }
        else if (lines.Length > 0)
        {
            columns = lines[0].Split(',');
            var stepColumn = Array.IndexOf(columns, "step");
            kept.Add(lines[0]);
            kept.AddRange(lines.Skip(1).Where(line => stepColumn < 0 || double.Parse(line.Split(',')[stepColumn], CultureInfo.InvariantCulture) <= lastStep));
        }

        CheckpointStore.ReplaceAtomically(path, kept.Count == 0 ? string.Empty : string.Join('\n', kept) + "\n");
        return new MetricsLog(path, new StreamWriter(path, append: true, Utf8), columns);
    }

    private static bool IsJsonLines(string path) =>
        path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Appends one row and flushes it, so a crash loses at most the row being written.</summary>
    public void Append(IReadOnlyDictionary<string, double> row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (isJsonLines)
        {
            writer.WriteLine(JsonSerializer.Serialize(row.ToDictionary(kv => kv.Key, kv => double.IsFinite(kv.Value) ? (double?)kv.Value : null), TcdJson.Compact));
        }
        else
        {
            if (csvColumns is null)
            {
                csvColumns = row.Keys.ToArray();
                writer.WriteLine(string.Join(',', csvColumns));
            }

            writer.WriteLine(string.Join(',', csvColumns.Select(column => row.TryGetValue(column, out var value) && double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : string.Empty)));
        }

        writer.Flush();
    }

    /// <inheritdoc />
    public void Dispose() => writer.Dispose();

    private static double StepOfJsonLine(string line)
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.TryGetProperty("step", out var step) && step.ValueKind == JsonValueKind.Number ? step.GetDouble() : double.MinValue;
    }

    private static void EnsureFolder(string path)
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            OutputFolders.Create(folder, "metrics file's folder");
        }
    }
}
