using Tcd.Experiments.Glue;
using Tcd.Models.Data.Glue;

namespace Tcd.Experiments.Tests.Glue;

public sealed class GlueSubmissionTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("tcd-glue-submission-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Mnli_WritesOneFilePerColumnWithLabelNames()
    {
        var columns = GlueResultColumn.For(GlueTask.Mnli);
        float[][] outputs = [[3, 1, 0], [0, 2, 1], [0, 1, 5]];

        var paths = columns.Select(column => GlueSubmission.Write(folder, GlueTask.Mnli, column.SubmissionFileName, ["0", "1", "2"], outputs)).ToList();

        paths.Select(Path.GetFileName).Should().Equal("MNLI-m.tsv", "MNLI-mm.tsv");
        File.ReadAllText(paths[1]).Should().Be("index\tprediction\n0\tcontradiction\n1\tentailment\n2\tneutral\n");
        columns.Select(column => (column.DevSplit, column.TestSplit)).Should().Equal(("dev_matched", "test_matched"), ("dev_mismatched", "test_mismatched"));
    }

    [Theory]
    [InlineData("CoLA", "CoLA.tsv", "1")]
    [InlineData("SST-2", "SST-2.tsv", "1")]
    [InlineData("MRPC", "MRPC.tsv", "1")]
    [InlineData("QQP", "QQP.tsv", "1")]
    [InlineData("QNLI", "QNLI.tsv", "not_entailment")]
    [InlineData("RTE", "RTE.tsv", "not_entailment")]
    [InlineData("WNLI", "WNLI.tsv", "1")]
    public void Classification_WritesTheServerFileNameAndLabel(string taskName, string fileName, string secondClass)
    {
        var task = GlueTask.FromName(taskName);
        var column = GlueResultColumn.For(task).Single();

        var path = GlueSubmission.Write(folder, task, column.SubmissionFileName, ["7", "8"], [[0.1f, 0.9f], [2f, -1f]]);

        Path.GetFileName(path).Should().Be(fileName);
        File.ReadAllLines(path).Should().Equal("index\tprediction", $"7\t{secondClass}", $"8\t{task.LabelNames[0]}");
    }

    [Fact]
    public void StsB_ClipsScoresToZeroToFive()
    {
        var column = GlueResultColumn.For(GlueTask.StsB).Single();

        var path = GlueSubmission.Write(folder, GlueTask.StsB, column.SubmissionFileName, ["0", "1", "2"], [[-0.4f], [2.25f], [7f]]);

        File.ReadAllLines(path).Should().Equal("index\tprediction", "0\t0", "1\t2.25", "2\t5");
    }

    [Fact]
    public void MismatchedCounts_Throw()
    {
        var column = GlueResultColumn.For(GlueTask.Rte).Single();

        var act = () => GlueSubmission.Write(folder, GlueTask.Rte, column.SubmissionFileName, ["0", "1"], [[1f, 0f]]);

        act.Should().Throw<ArgumentException>().WithMessage("*2 test ids but 1 predictions*");
    }
}
