using Tcd.Models.Data.Glue;

namespace Tcd.Models.Tests.Data.Glue;

/// <summary>The reader on the real GLUE rows shipped in data/glue (see data/glue/README.md for how they were cut).</summary>
public class GlueReaderShippedDataTests
{
    private static (List<GlueExample> Examples, GlueReadReport Report) ReadAll(GlueTask task, string split, GlueReaderOptions? options = null)
    {
        var report = new GlueReadReport();
        var examples = new GlueReader(ShippedGlueData.Root, options).Read(task, split, report).ToList();
        report.IsComplete.Should().BeTrue();
        report.SkippedCount.Should().Be(0);
        report.ExamplesRead.Should().Be(examples.Count);
        return (examples, report);
    }

    [Fact]
    public void MissingFineTuningFiles_NamesEachAbsentTrainAndEvaluationSplit()
    {
        var reader = new GlueReader(ShippedGlueData.Root);

        reader.MissingFineTuningFiles([GlueTask.Rte, GlueTask.Sst2, GlueTask.Mrpc]).Should().BeEmpty("the shipped slices hold train and dev of these");
        reader.MissingFineTuningFiles([GlueTask.Rte, GlueTask.Mnli]).Should().Equal(
            Path.Combine("MNLI", "train.tsv"), Path.Combine("MNLI", "dev_matched.tsv"), Path.Combine("MNLI", "dev_mismatched.tsv"));
    }

    [Fact]
    public void Rte_Train_ReadsHeaderedPairsWithStringLabels()
    {
        var (examples, _) = ReadAll(GlueTask.Rte, "train");

        examples.Should().HaveCount(200);
        examples[0].Should().Be(new GlueExample(
            "No Weapons of Mass Destruction Found in Iraq Yet.", "Weapons of Mass Destruction Found in Iraq.", Label: 1, Score: null, Id: "0", LineNumber: 2));
        examples[^1].Id.Should().Be("199");
        examples[^1].TextPair.Should().Be("Two conservation groups have increased the black rhino population.");
        examples[^1].Label.Should().Be(1);
        examples[^1].LineNumber.Should().Be(201);
        examples.Count(e => e.Label == 0).Should().Be(95, "95 entailment rows among the first 200");
        examples.Count(e => e.Label == 1).Should().Be(105);
    }

    [Fact]
    public void Rte_Dev_KeepsAnUnbalancedQuoteAsText()
    {
        var (examples, _) = ReadAll(GlueTask.Rte, "dev");

        examples.Should().HaveCount(100);
        var quoted = examples.Single(e => e.LineNumber == 8);
        quoted.Id.Should().Be("6");
        quoted.Text.Should().Contain("the papers cited irreconcilable differences\" as the reason for the divorce");
        quoted.Text.Count(c => c == '"').Should().Be(1);
        quoted.TextPair.Should().Be("Spears is to divorce from Kevin Federline.");
        quoted.Label.Should().Be(0);
        examples[^1].Should().Match<GlueExample>(e => e.Id == "99" && e.TextPair == "Greg Page was a boxer." && e.Label == 0);
    }

    [Fact]
    public void Rte_Test_HasIdsAndNoLabels()
    {
        var (examples, _) = ReadAll(GlueTask.Rte, "test");

        examples.Select(e => e.Id).Should().Equal(Enumerable.Range(0, 20).Select(i => i.ToString()));
        examples.Should().OnlyContain(e => e.Label == null && e.Score == null && e.TextPair != null);
        examples[0].TextPair.Should().Be("Shukla is related to Mangla.");
    }

    [Fact]
    public void Sst2_Train_TrimsTheTrailingSpace()
    {
        var (examples, _) = ReadAll(GlueTask.Sst2, "train");

        examples.Should().HaveCount(8000);
        examples[0].Should().Be(new GlueExample("hide new secretions from the parental units", null, 0, null, null, 2));
        examples[199].Should().Be(new GlueExample("inane and awful", null, 0, null, null, 201));
        examples[^1].Should().Be(new GlueExample("a serious exploration of nuclear terrorism", null, 1, null, null, 8001));
        examples.Count(e => e.Label == 1).Should().Be(4438);
        examples.Count(e => e.Label == 0).Should().Be(3562);
    }

    [Fact]
    public void Sst2_TrailingSpaceIsKeptWhenTrimmingIsOff()
    {
        var (examples, _) = ReadAll(GlueTask.Sst2, "dev", new GlueReaderOptions { TrimWhitespace = false });

        examples.Should().HaveCount(872);
        examples[0].Text.Should().Be("it 's a charming and often affecting journey . ");
        examples[0].Label.Should().Be(1);
        examples[99].Text.Should().Be("why make a documentary about these marginal historical figures ? ");
        examples[99].Label.Should().Be(0);
        examples[^1].Text.Should().Be("looking aristocratic , luminous yet careworn in jane hamilton 's exemplary costumes , rampling gives a performance that could not be improved upon . ' ");
        examples.Count(e => e.Label == 1).Should().Be(444);
    }

    [Fact]
    public void Sst2_Test_HasIndexAndNoLabel()
    {
        var (examples, _) = ReadAll(GlueTask.Sst2, "test");

        examples.Should().HaveCount(20);
        examples[0].Should().Be(new GlueExample("uneasy mishmash of styles and genres .", null, null, null, "0", 2));
        examples[^1].Should().Be(new GlueExample("it 's just incredibly dull .", null, null, null, "19", 21));
    }

    [Fact]
    public void CoLA_Train_HasNoHeader_SoLineOneIsARow()
    {
        var (examples, _) = ReadAll(GlueTask.CoLA, "train");

        examples.Should().HaveCount(200);
        examples[0].Should().Be(new GlueExample(
            "Our friends won't buy this analysis, let alone the next one we propose.", null, 1, null, null, 1));
        examples[^1].Should().Be(new GlueExample(
            "The more he eats, the fatter that that he gets really bothers me.", null, 0, null, null, 200));
    }

    [Fact]
    public void CoLA_Dev_ReadsTheLastRowDespiteTheMissingFinalNewline()
    {
        File.ReadAllBytes(ShippedGlueData.PathOf("CoLA", "dev"))[^1].Should().NotBe((byte)'\n', "the slice keeps the original quirk");

        var (examples, _) = ReadAll(GlueTask.CoLA, "dev");

        examples.Should().HaveCount(100);
        examples[^1].Should().Be(new GlueExample(
            "I won't ask you to believe that he tried to force me to give her any money.", null, 1, null, null, 100));
        examples.Count(e => e.Label == 1).Should().Be(64);
        examples.Count(e => e.Label == 0).Should().Be(36);
    }

    [Fact]
    public void CoLA_Test_HasAHeaderAndIndex()
    {
        var (examples, _) = ReadAll(GlueTask.CoLA, "test");

        examples.Should().HaveCount(20);
        examples[0].Should().Be(new GlueExample("Bill whistled past the house.", null, null, null, "0", 2));
        examples[^1].Should().Be(new GlueExample("John eats not chocolate.", null, null, null, "19", 21));
    }

    [Fact]
    public void Mrpc_Train_SkipsTheBomAndReadsEveryRowDespiteUnbalancedQuotes()
    {
        File.ReadAllBytes(ShippedGlueData.PathOf("MRPC", "train"))[..3].Should().Equal(0xEF, 0xBB, 0xBF);

        var (examples, _) = ReadAll(GlueTask.Mrpc, "train");

        // A quote-aware parser would swallow tabs and newlines after the first unbalanced quote and lose rows.
        examples.Should().HaveCount(3668);
        examples.Count(e => e.Label == 1).Should().Be(2474);
        examples.Count(e => e.Label == 0).Should().Be(1194);
        examples.Count(e => (e.Text + e.TextPair).Count(c => c == '"') % 2 == 1).Should().BeGreaterThan(100);
        examples[0].Text.Should().Be("Amrozi accused his brother, whom he called \"the witness\", of deliberately distorting his evidence.");
        examples[0].TextPair.Should().Be("Referring to him as only \"the witness\", Amrozi accused his brother of deliberately distorting his evidence.");
        examples[0].Label.Should().Be(1);
        examples[0].Id.Should().BeNull();
        examples[0].LineNumber.Should().Be(2);
        examples[^1].Text.Should().StartWith("The 30-year bond US30YT=RR rose 22/32");
        examples[^1].Label.Should().Be(0);
        examples[^1].LineNumber.Should().Be(3669);
    }

    [Fact]
    public void Mrpc_Dev_ReadsBomFileWithUnbalancedQuoteInTheFirstRow()
    {
        var (examples, _) = ReadAll(GlueTask.Mrpc, "dev");

        examples.Should().HaveCount(408);
        examples.Count(e => e.Label == 1).Should().Be(279);
        examples[0].TextPair.Should().Be("\"The foodservice pie business does not fit our long-term growth strategy.");
        examples[^1].TextPair.Should().Be("In Soviet times the Beatles' music \"was considered propaganda of an alien ideology.");
        examples[^1].Label.Should().Be(1);
    }

    [Fact]
    public void Mrpc_Test_HasNoBomAndAnIndexColumn()
    {
        File.ReadAllBytes(ShippedGlueData.PathOf("MRPC", "test"))[0].Should().Be((byte)'i');

        var (examples, _) = ReadAll(GlueTask.Mrpc, "test");

        examples.Should().HaveCount(20);
        examples.Select(e => e.Id).Should().Equal(Enumerable.Range(0, 20).Select(i => i.ToString()));
        examples.Should().OnlyContain(e => e.Label == null);
        examples[^1].TextPair.Should().Be("He and Zilkha believed that only a new board would have had the credibility to restore El Paso to health.");
    }

    [Fact]
    public void StsB_Train_ParsesFloatScores()
    {
        var (examples, _) = ReadAll(GlueTask.StsB, "train");

        examples.Should().HaveCount(200);
        examples[0].Should().Be(new GlueExample("A plane is taking off.", "An air plane is taking off.", null, 5.0f, "0", 2));
        examples[1].Score.Should().Be(3.8f);
        examples[^1].Should().Be(new GlueExample("The person is riding the horse.", "A man is riding a horse.", null, 3.8f, "199", 201));
        examples.Sum(e => (double)e.Score!.Value).Should().BeApproximately(626.711, 1e-3);
    }

    [Fact]
    public void StsB_DevAndTest()
    {
        var (dev, _) = ReadAll(GlueTask.StsB, "dev");
        var (test, _) = ReadAll(GlueTask.StsB, "test");

        dev.Should().HaveCount(100);
        dev[0].Score.Should().Be(5.0f);
        dev[^1].Score.Should().Be(3.0f);
        test.Should().HaveCount(20);
        test.Should().OnlyContain(e => e.Score == null && e.Label == null);
        test[0].Should().Be(new GlueExample("A girl is styling her hair.", "A girl is brushing her hair.", null, null, "0", 2));
    }
}
