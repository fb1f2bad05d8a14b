namespace Tcd.Reports.Tests;

public sealed class MetricsReaderTests
{
    private const string JsonLines =
        """
        {"step":10,"loss":7.1,"mlm":6.9,"load_balance":0.002,"lr":1e-4}
        {"step":20,"loss":6.5,"mlm":6.3,"load_balance":null,"lr":2e-4}

        {"step":30,"loss":6.0,"mlm":5.9,"lr":3e-4,"tokens_per_s":5000}
        """;

    private const string Csv =
        """
        step,loss,mlm,load_balance,lr,tokens_per_s
        10,7.1,6.9,0.002,1e-4,
        20,6.5,6.3,,2e-4,
        30,6.0,5.9,,3e-4,5000
        """;

    [Fact]
    public void JsonLinesAndCsvGiveTheSameSeries()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("run.jsonl"), JsonLines);
        File.WriteAllText(folder.File("run.csv"), Csv);

        var fromJson = MetricsReader.Read(folder.File("run.jsonl"));
        var fromCsv = MetricsReader.Read(folder.File("run.csv"));

        fromJson.MetricNames.Should().Equal("loss", "mlm", "load_balance", "lr", "tokens_per_s");
        fromCsv.MetricNames.Should().Equal(fromJson.MetricNames);
        foreach (var metric in fromJson.MetricNames)
        {
            fromCsv[metric].Steps.Should().Equal(fromJson[metric].Steps, $"steps of {metric}");
            fromCsv[metric].Values.Should().Equal(fromJson[metric].Values, $"values of {metric}");
        }

        fromJson["mlm"].Steps.Should().Equal(10, 20, 30);
        fromJson["mlm"].Values.Should().Equal(6.9, 6.3, 5.9);
    }

    [Fact]
    public void MissingNullAndNonFiniteValuesAreSkipped()
    {
        var run = MetricsReader.ReadJsonLines(new StringReader(JsonLines + "\n{\"step\":40,\"loss\":\"NaN\",\"mlm\":5.5}"), "test");

        run["load_balance"].Steps.Should().Equal(10);
        run["tokens_per_s"].Steps.Should().Equal(30);
        run["loss"].Steps.Should().Equal(10, 20, 30);
        run["mlm"].Steps.Should().Equal(10, 20, 30, 40);
    }

    [Fact]
    public void ARepeatedStepKeepsTheLaterRowAndStepsAreSorted()
    {
        var run = MetricsReader.ReadCsv(new StringReader("step,loss\n20,5\n10,6\n20,4\n"), "resumed");

        run["loss"].Steps.Should().Equal(10, 20);
        run["loss"].Values.Should().Equal(6, 4);
    }

    [Fact]
    public void MalformedJsonLineNamesFileAndLine()
    {
        using var folder = new TempFolder();
        var path = folder.File("broken.jsonl");
        File.WriteAllText(path, "{\"step\":1,\"loss\":2}\n\n{\"step\":2,\"loss\":\n");

        var act = () => MetricsReader.Read(path);

        var error = act.Should().Throw<MetricsFormatException>().Which;
        error.FilePath.Should().Be(path);
        error.LineNumber.Should().Be(3);
        error.Message.Should().Contain(path).And.Contain("line 3");
    }

    [Theory]
    [InlineData("run.jsonl", "{\"step\":1,\"loss\":2}\n{\"step\":2,\"loss\":1}\n{\"step\":3,\"lo")]
    [InlineData("run.csv", "step,loss\n1,2\n2,1\n3")]
    public void ARowStillBeingWrittenIsLeftOut(string name, string text)
    {
        using var folder = new TempFolder();
        var path = folder.File(name);
        File.WriteAllText(path, text);

        var run = MetricsReader.Read(path);

        run["loss"].Steps.Should().Equal(1, 2);
    }

    [Theory]
    [InlineData("step,loss\n1,2\n2,x\n", 3, "'loss'")]
    [InlineData("step,loss\n1,2\n2,3,4\n", 3, "3 fields")]
    [InlineData("loss,mlm\n1,2\n", 1, "'step'")]
    [InlineData("step,loss\n,2\n", 2, "'step'")]
    [InlineData("step,loss,loss\n1,2,3\n", 1, "has the column 'loss' twice; column names must be unique and non-empty.")]
    [InlineData("step,,mlm\n1,2,3\n", 1, "has an empty column name; column names must be unique and non-empty.")]
    public void MalformedCsvLineNamesTheLineAndProblem(string csv, int line, string mentioned)
    {
        var act = () => MetricsReader.ReadCsv(new StringReader(csv), "metrics.csv");

        var error = act.Should().Throw<MetricsFormatException>().Which;
        error.LineNumber.Should().Be(line);
        error.Message.Should().StartWith($"metrics.csv, line {line}:").And.Contain(mentioned);
    }

    [Theory]
    [InlineData("{\"step\":1,\"phase\":\"tcd\"}", "'phase'")]
    [InlineData("{\"loss\":1}", "'step'")]
    [InlineData("[1,2]", "object")]
    public void JsonLineWithWrongContentIsRejected(string line, string mentioned)
    {
        var act = () => MetricsReader.ReadJsonLines(new StringReader(line), "m.jsonl");

        act.Should().Throw<MetricsFormatException>().Which.Message.Should().Contain("line 1").And.Contain(mentioned);
    }

    [Fact]
    public void MissingFileAndUnknownMetricGiveClearErrors()
    {
        var missing = () => MetricsReader.Read("/nonexistent/metrics.jsonl");
        missing.Should().Throw<FileNotFoundException>().WithMessage("*/nonexistent/metrics.jsonl*");

        var run = MetricsReader.ReadCsv(new StringReader("step,mlm\n1,2\n"), "r");
        var unknown = () => run["trunk"];
        unknown.Should().Throw<KeyNotFoundException>().WithMessage("*no metric 'trunk'*It has: mlm*");
    }

    [Fact]
    public void AnEmptyFileSaysItHasNoValuesYet()
    {
        // A run that has just started has an empty metrics file; "It has: (none)" read like a broken file.
        var run = MetricsReader.ReadJsonLines(new StringReader(string.Empty), "runs/new/metrics.jsonl");

        run.MissingMetricMessage("loss").Should().Be(
            "Run 'runs/new/metrics.jsonl' has no metric 'loss'. It has no values yet: the file is empty, or the trainer has not logged a step to it.");
    }

    [Fact]
    public void MovingAverageIsTrailingAndShrinksAtTheStart()
    {
        var series = new MetricsSeries("loss", [1, 2, 3, 4], [4, 2, 6, 8]);

        series.MovingAverage(2).Values.Should().Equal(4, 3, 4, 7);
        series.MovingAverage(1).Values.Should().Equal(series.Values);
    }

    [Fact]
    public void SeriesRejectsMismatchedLengthsAndUnorderedSteps()
    {
        var mismatched = () => new MetricsSeries("loss", [1, 2, 3], [1, 2]);
        mismatched.Should().Throw<ArgumentException>().WithMessage("*3 steps but 2 values*");

        var unordered = () => new MetricsSeries("loss", [2, 1], [1, 2]);
        unordered.Should().Throw<ArgumentException>().WithMessage("*out of order*");
    }
}
