using Tcd.Models.Training;

namespace Tcd.Models.Tests.Training;

public sealed class MetricsLogTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "tcd-metrics-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("metrics.csv")]
    [InlineData("metrics.jsonl")]
    public void Resume_DropsRowsAfterTheCheckpointStep(string fileName)
    {
        var path = Path.Combine(folder, fileName);
        using (var log = MetricsLog.Create(path))
        {
            for (var step = 1; step <= 5; step++)
            {
                log.Append(new Dictionary<string, double> { ["step"] = step, ["loss"] = 10.0 / step });
            }
        }

        using (var resumed = MetricsLog.Resume(path, lastStep: 3))
        {
            resumed.Append(new Dictionary<string, double> { ["step"] = 4, ["loss"] = 1.5 });
        }

        var lines = File.ReadAllLines(path).Where(line => line.Length > 0).ToList();
        var dataLines = fileName.EndsWith(".csv", StringComparison.Ordinal) ? lines.Skip(1).ToList() : lines;
        dataLines.Should().HaveCount(4);
        dataLines[^1].Should().Contain("1.5");
        if (fileName.EndsWith(".csv", StringComparison.Ordinal))
        {
            lines[0].Should().Be("step,loss");
        }
    }

    [Theory]
    [InlineData("metrics.csv", "3,0.")]
    [InlineData("metrics.jsonl", "{\"step\":3,\"lo")]
    public void Resume_DropsALastRowCutShortByACrash(string fileName, string cutRow)
    {
        var path = Path.Combine(folder, fileName);
        using (var log = MetricsLog.Create(path))
        {
            log.Append(new Dictionary<string, double> { ["step"] = 1, ["loss"] = 2.0 });
            log.Append(new Dictionary<string, double> { ["step"] = 2, ["loss"] = 1.0 });
        }

        File.AppendAllText(path, cutRow);
        using (var resumed = MetricsLog.Resume(path, lastStep: 2))
        {
            resumed.Append(new Dictionary<string, double> { ["step"] = 3, ["loss"] = 0.5 });
        }

        var lines = File.ReadAllLines(path);
        lines.Should().HaveCount(fileName.EndsWith(".csv", StringComparison.Ordinal) ? 4 : 3);
        lines[^1].Should().Contain("0.5");
    }

    [Fact]
    public void Resume_NamesTheFileAndLineOfADamagedRow()
    {
        var path = Path.Combine(folder, "metrics.jsonl");
        Directory.CreateDirectory(folder);
        File.WriteAllText(path, "{\"step\":1,\"loss\":2}\nnot a row\n{\"step\":2,\"loss\":1}\n");

        var act = () => MetricsLog.Resume(path, lastStep: 2);

        act.Should().Throw<InvalidDataException>().WithMessage($"{path}, line 2 is not a metrics row (*); repair or delete the file to resume the run.");
    }

    [Theory]
    [InlineData("metrics.csv", "step,loss")]
    [InlineData("metrics.jsonl", "{")]
    public void FilesStartWithTheirFirstRowNotAByteOrderMark(string fileName, string start)
    {
        // Python's json.loads rejects a line that starts with a byte-order mark, and pandas would read it into the
        // first column's name; .NET's readers hide it, so the bytes are checked.
        var path = Path.Combine(folder, fileName);
        using (var log = MetricsLog.Create(path))
        {
            log.Append(new Dictionary<string, double> { ["step"] = 1, ["loss"] = 2.5 });
        }

        File.ReadAllBytes(path).Take(start.Length).Should().Equal(System.Text.Encoding.ASCII.GetBytes(start));
        using (var resumed = MetricsLog.Resume(path, lastStep: 1))
        {
            resumed.Append(new Dictionary<string, double> { ["step"] = 2, ["loss"] = 1.5 });
        }

        File.ReadAllBytes(path).Take(start.Length).Should().Equal(System.Text.Encoding.ASCII.GetBytes(start));
    }
}
