using System.Globalization;
using Tcd.Experiments.Glue;

namespace Tcd.Experiments.Tests.Glue;

/// <summary>
/// The files of <c>submissions/</c> beyond each fine-tuned task's: <c>WNLI.tsv</c> (WNLI's train majority class) and
/// <c>AX.tsv</c> (GLUE's diagnostic set labelled by the MNLI model). MNLI and WNLI are not shipped, so tiny files in
/// their official layout stand in.
/// </summary>
public sealed class GlueSuiteSubmissionFolderTests : IDisposable
{
    private static readonly string[] MnliClasses = ["contradiction", "entailment", "neutral"];

    private readonly GlueSuiteFixture fixture = new();

    public void Dispose() => fixture.Dispose();

    [Fact]
    public void WNLI_tsv_is_the_majority_class_of_WNLIs_train_set_for_every_test_row_and_says_so()
    {
        var model = fixture.SaveModel("tiny", GlueSuiteFixture.TinyConfig, seed: 21);
        var glue = fixture.CopyOfTheShippedTask("RTE");
        WriteWnli(trainLabels: ["1", "0", "1", "1", "0"], testIds: ["0", "1", "2"]);
        var notes = new List<string>();

        var result = new GlueSuite(fixture.OneCellOptions([model], "RTE") with { GlueDirectory = glue, WriteTestPredictions = true }, log: notes.Add).Run();

        var wnli = result.Files["submission:tiny:WNLI"];
        wnli.Should().Be(Path.Combine(fixture.Output, "submissions", "tiny", "WNLI.tsv"));
        File.ReadAllText(wnli).Should().Be("index\tprediction\n0\t1\n1\t1\n2\t1\n", "the server's layout, the test ids in order, the majority class everywhere");
        notes.Should().Contain(
            "WNLI.tsv is the majority-class baseline, not a fine-tuned model: class 1 (3 of 5 WNLI train rows) for all 3 test rows, " +
            "as the BERT paper submits it (name WNLI in GlueSuiteOptions.Tasks to fine-tune on it instead).");
        result.Cells.Should().OnlyContain(cell => cell.Key.Task == "RTE", "WNLI is not fine-tuned unless asked for");
    }

    [Fact]
    public void WNLI_as_a_task_is_fine_tuned_and_its_model_makes_WNLI_tsv()
    {
        var model = fixture.SaveModel("tiny", GlueSuiteFixture.TinyConfig, seed: 22);
        var glue = WriteWnli(trainLabels: ["1", "0", "1", "1", "0", "0", "1", "0"], testIds: ["0", "1"]);
        fixture.WriteGlueFile("WNLI", "dev", ["index\tsentence1\tsentence2\tlabel", .. Pairs(4).Select((pair, i) => $"{i}\t{pair}\t{i % 2}")]);
        var notes = new List<string>();

        var result = new GlueSuite(fixture.OneCellOptions([model], "WNLI") with { GlueDirectory = glue, WriteTestPredictions = true }, log: notes.Add).Run();

        result.CellsTrained.Should().Be(1);
        result.Table.Rows[0]["WNLI"].Should().NotBeNull();
        IdsOf(result.Files["submission:tiny:WNLI"]).Should().Equal("0", "1");
        notes.Should().NotContain(note => note.Contains("majority-class baseline"));
    }

    [Fact]
    public void An_MNLI_cell_labels_the_diagnostic_set_for_AX_tsv_and_a_resumed_cell_keeps_those_predictions()
    {
        var model = fixture.SaveModel("tiny", GlueSuiteFixture.TinyConfig, seed: 23);
        var glue = WriteMnli();
        var diagnostic = WriteDiagnostic("0", "1", "2", "3");
        var options = fixture.OneCellOptions([model], "MNLI") with { GlueDirectory = glue, WriteTestPredictions = true };

        var first = new GlueSuite(options).Run();

        var ax = first.Files["submission:tiny:AX"];
        ax.Should().Be(Path.Combine(fixture.Output, "submissions", "tiny", "AX.tsv"));
        IdsOf(ax).Should().Equal("0", "1", "2", "3");
        File.ReadLines(ax).Skip(1).Select(line => line.Split('\t')[1]).Should().OnlyContain(label => MnliClasses.Contains(label));
        var predictions = File.ReadAllText(ax);

        var resumed = new GlueSuite(options).Run();

        resumed.CellsTrained.Should().Be(0, "the stored cell has predictions for every unlabelled file");
        File.ReadAllText(resumed.Files["submission:tiny:AX"]).Should().Be(predictions);

        File.AppendAllText(diagnostic, "4\tThe sun rises in the east.\tThe sun rises in the west.\n");
        var notes = new List<string>();
        var withLongerDiagnostic = new GlueSuite(options, log: notes.Add).Run();

        withLongerDiagnostic.CellsTrained.Should().Be(1, "its AX predictions were made for the shorter diagnostic file");
        notes.Should().Contain(note => note.Contains("holds predictions for another diagnostic.tsv"));
        IdsOf(withLongerDiagnostic.Files["submission:tiny:AX"]).Should().Equal("0", "1", "2", "3", "4");
    }

    [Fact]
    public void A_missing_diagnostic_file_or_WNLI_file_is_noted_and_its_submission_file_left_out()
    {
        var model = fixture.SaveModel("tiny", GlueSuiteFixture.TinyConfig, seed: 24);
        var glue = WriteMnli();
        var notes = new List<string>();

        var result = new GlueSuite(fixture.OneCellOptions([model], "MNLI") with { GlueDirectory = glue, WriteTestPredictions = true }, log: notes.Add).Run();

        notes.Should().Contain(
            $"MNLI: no {Path.Combine("diagnostic", "diagnostic.tsv")} under '{glue}', so no AX.tsv is written (the GLUE server needs it for a complete submission).");
        notes.Should().Contain(note => note.StartsWith($"WNLI: no {Path.Combine("WNLI", "train.tsv")} under '{glue}', so no WNLI.tsv is written", StringComparison.Ordinal));
        result.Files.Keys.Where(role => role.StartsWith("submission:", StringComparison.Ordinal)).Should().BeEquivalentTo("submission:tiny:MNLI-m", "submission:tiny:MNLI-mm");
        Directory.GetFiles(Path.Combine(fixture.Output, "submissions", "tiny")).Select(Path.GetFileName).Should().BeEquivalentTo("MNLI-m.tsv", "MNLI-mm.tsv");
    }

    /// <summary>MNLI in its official file names, with only the columns the reader needs (it finds them by header).</summary>
    private string WriteMnli()
    {
        const string Header = "index\tsentence1\tsentence2\tgold_label";
        string[] Labelled(int count) => [Header, .. Pairs(count).Select((pair, i) => $"{i}\t{pair}\t{MnliClasses[i % 3]}")];
        string[] Unlabelled(int count) => ["index\tsentence1\tsentence2", .. Pairs(count).Select((pair, i) => $"{i}\t{pair}")];
        fixture.WriteGlueFile("MNLI", "train", Labelled(12));
        fixture.WriteGlueFile("MNLI", "dev_matched", Labelled(3));
        fixture.WriteGlueFile("MNLI", "dev_mismatched", Labelled(3));
        fixture.WriteGlueFile("MNLI", "test_matched", Unlabelled(2));
        return Path.GetDirectoryName(Path.GetDirectoryName(fixture.WriteGlueFile("MNLI", "test_mismatched", Unlabelled(2))))!;
    }

    /// <summary>GLUE's diagnostic set where download_glue_data.py puts it: <c>diagnostic/diagnostic.tsv</c>, no labels.</summary>
    private string WriteDiagnostic(params string[] ids) =>
        fixture.WriteGlueFile("diagnostic", "diagnostic", ["index\tsentence1\tsentence2", .. Pairs(ids.Length).Select((pair, i) => $"{ids[i]}\t{pair}")]);

    private string WriteWnli(IReadOnlyList<string> trainLabels, IReadOnlyList<string> testIds)
    {
        fixture.WriteGlueFile("WNLI", "train", ["index\tsentence1\tsentence2\tlabel", .. Pairs(trainLabels.Count).Select((pair, i) => $"{i}\t{pair}\t{trainLabels[i]}")]);
        var test = fixture.WriteGlueFile("WNLI", "test", ["index\tsentence1\tsentence2", .. Pairs(testIds.Count).Select((pair, i) => $"{testIds[i]}\t{pair}")]);
        return Path.GetDirectoryName(Path.GetDirectoryName(test))!;
    }

    /// <summary>Distinct premise/hypothesis pairs, tab-separated.</summary>
    private static IEnumerable<string> Pairs(int count) =>
        Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"The man in house {i} owns a dog.\tThe dog lives in house {i}."));

    private static IEnumerable<string> IdsOf(string submissionFile) => File.ReadLines(submissionFile).Skip(1).Select(line => line.Split('\t')[0]);
}
