using Tcd.Models.Data;
using Tcd.Models.Modeling;
using Tcd.Models.Xpert;
using TorchSharp;
using static TorchSharp.torch;
using Tcd.Models.Runtime;

namespace Tcd.Models.Tests.Xpert;

public sealed class ExpertActivationAnalyzerTests
{
    private static readonly BertTextEncoder Encoder = BertTextEncoder.CreateUncased();

    private static readonly ExpertActivationOptions FastOptions = new() { BatchSize = 4, MaxSequenceLength = 24, MaxSegmentsPerDomain = 6 };

    internal static BertConfig MoeConfig { get; } = new()
    {
        NumLayers = 2, HiddenSize = 32, NumHeads = 2, IntermediateSize = 64, MaxPositions = 64, ExpertCount = 4,
    };

    internal static KeyValuePair<string, TextCorpus>[] Domains() =>
    [
        KeyValuePair.Create("animals", TextCorpus.FromTexts(Enumerable.Repeat("the cat sat on the mat and the dog sat on the log.", 12))),
        KeyValuePair.Create("numbers", TextCorpus.FromTexts(Enumerable.Repeat("one plus two equals three; seven times eight is 56.", 12))),
        KeyValuePair.Create("code", TextCorpus.FromTexts(Enumerable.Repeat("public static int add(int a, int b) { return a + b; }", 12))),
    ];

    [Fact]
    public void Frequencies_SumToOne_PerLayerAndDomain_AndCountEveryRealToken()
    {
        torch.manual_seed(3);
        using var model = new BertForMaskedLm(MoeConfig);
        var reports = new List<ExpertActivationProgress>();

        var table = new ExpertActivationAnalyzer(Encoder, FastOptions)
            .Analyze(model, Domains(), new SynchronousProgress<ExpertActivationProgress>(reports.Add));

        table.LayerCount.Should().Be(2);
        table.DomainCount.Should().Be(3);
        table.ExpertCount.Should().Be(4);
        table.Domains.Should().Equal("animals", "numbers", "code");
        model.training.Should().BeTrue("the analyzer restores the training mode");
        for (var layer = 0; layer < 2; layer++)
        {
            for (var domain = 0; domain < 3; domain++)
            {
                Enumerable.Range(0, 4).Sum(expert => table.Frequency(layer, domain, expert)).Should().BeApproximately(1, 1e-12);
                var lastReport = reports.Last(report => report.DomainIndex == domain);
                lastReport.Segments.Should().Be(6);
                table.TotalTokens(layer, domain).Should().Be(lastReport.Tokens, "every real token is routed once per layer");
            }
        }
    }

    [Fact]
    public void Progress_PrintsTheDomainAndWhatWasRouted()
    {
        new ExpertActivationProgress("wiki", 0, 4, 64, 8123).ToString().Should().Be("domain wiki (1/4): 64 segments, 8123 tokens routed");
    }

    [Theory]
    [InlineData(3, 90, null, null, true)]      // the text ran out after 3 of a batch of 4
    [InlineData(4, 128, null, null, false)]    // one full batch
    [InlineData(2, 64, 2, null, false)]        // cut by MaxSegmentsPerDomain, not short of text
    [InlineData(1, 1, 2, null, true)]          // ran out below that cut
    [InlineData(2, 64, null, 80L, false)]      // cut by MaxTokensPerDomain: a third segment would pass it
    [InlineData(2, 40, null, 200L, true)]      // ran out well within the token limit
    public void EndedBeforeOneBatch_MeansTheTextRanOut_NotThatALimitCutIt(long segments, long tokens, int? maxSegments, long? maxTokens, bool expected)
    {
        var options = new ExpertActivationOptions { BatchSize = 4, MaxSequenceLength = 32, MaxSegmentsPerDomain = maxSegments, MaxTokensPerDomain = maxTokens };

        options.EndedBeforeOneBatch(new ExpertActivationProgress("d", 0, 1, segments, tokens)).Should().Be(expected);
    }

    [Fact]
    public void RouterForcedToOneExpert_GivesThatExpertFrequencyOne()
    {
        torch.manual_seed(4);
        using var model = new BertForMaskedLm(MoeConfig);
        using (no_grad())
        {
            var router = model.Bert.Encoder.Layers[1].Moe!.Router;
            router.weight!.zero_();
            router.bias!.copy_(tensor(new float[] { 0, 0, 50, 0 }));
        }

        var table = new ExpertActivationAnalyzer(Encoder, FastOptions).Analyze(model, Domains());

        for (var domain = 0; domain < 3; domain++)
        {
            table.Frequency(1, domain, 2).Should().Be(1);
            table.TokenCount(1, domain, 0).Should().Be(0);
        }
    }

    [Fact]
    public void Analysis_RunsInEvalMode_SoDropoutReroutesNoTokenBetweenRuns()
    {
        torch.manual_seed(8);
        using var model = new BertForMaskedLm(MoeConfig);
        model.Config.HiddenDropout.Should().BePositive("dropout in training mode would change which expert a token reaches");
        var analyzer = new ExpertActivationAnalyzer(Encoder, FastOptions);

        var first = analyzer.Analyze(model, Domains());
        var second = analyzer.Analyze(model, Domains());

        model.training.Should().BeTrue("the model was in training mode before the analysis");
        second.ToCsv().Should().Be(first.ToCsv());
    }

    [Fact]
    public void TokenLimit_StopsEachDomainWithinTheLimit()
    {
        torch.manual_seed(5);
        using var model = new BertForMaskedLm(MoeConfig);
        var options = new ExpertActivationOptions { BatchSize = 2, MaxSequenceLength = 24, MaxSegmentsPerDomain = null, MaxTokensPerDomain = 50 };

        var table = new ExpertActivationAnalyzer(Encoder, options).Analyze(model, Domains());

        // 24-token segments: two fit in 50 tokens, a third would not.
        table.TotalTokens(0, 0).Should().Be(48);
    }

    [Fact]
    public void InMemoryTexts_AreAnalysedLikeCorpora()
    {
        torch.manual_seed(6);
        using var model = new BertForMaskedLm(MoeConfig);
        var texts = new[] { KeyValuePair.Create("a", (IReadOnlyList<string>)["alpha beta gamma delta"]) };

        var table = new ExpertActivationAnalyzer(Encoder, FastOptions).Analyze(model.Bert, texts);

        table.TotalTokens(0, 0).Should().Be(Encoder.Tokenize("alpha beta gamma delta").Count + 2);
    }

    [Fact]
    public void VanillaModel_AndEmptyDomain_AreRejected()
    {
        using var vanilla = new BertForMaskedLm(MoeConfig.WithExperts(0));
        var analyzer = new ExpertActivationAnalyzer(Encoder, FastOptions);
        analyzer.Invoking(a => a.Analyze(vanilla, Domains())).Should().Throw<ArgumentException>().WithMessage("*Mixture-of-Experts*vanilla*");

        using var moe = new BertForMaskedLm(MoeConfig);
        var empty = new[] { KeyValuePair.Create("empty", TextCorpus.FromTexts(["   "])) };
        analyzer.Invoking(a => a.Analyze(moe, empty)).Should().Throw<ArgumentException>().WithMessage("*'empty'*no text*");
    }

    [Theory]
    [InlineData("BatchSize", "ExpertActivationOptions.BatchSize must be at least 1, but is 0.")]
    [InlineData("MaxSequenceLength", "ExpertActivationOptions.MaxSequenceLength must be at least 3 ([CLS], one token, [SEP]), but is 2.")]
    [InlineData("MaxSegmentsPerDomain", "ExpertActivationOptions.MaxSegmentsPerDomain must be at least 1 or null (no limit), but is 0.")]
    [InlineData("MaxTokensPerDomain", "ExpertActivationOptions.MaxTokensPerDomain must be at least 1 or null (no limit), but is 0.")]
    public void Options_out_of_range_are_refused_naming_the_option(string option, string message)
    {
        var options = option switch
        {
            "BatchSize" => new ExpertActivationOptions { BatchSize = 0 },
            "MaxSequenceLength" => new ExpertActivationOptions { MaxSequenceLength = 2 },
            "MaxSegmentsPerDomain" => new ExpertActivationOptions { MaxSegmentsPerDomain = 0 },
            _ => new ExpertActivationOptions { MaxTokensPerDomain = 0 },
        };

        options.Invoking(refused => refused.Validate()).Should().Throw<ArgumentException>().WithMessage(message + "*").Which.ParamName.Should().Be(option);
        new ExpertActivationOptions().Invoking(defaults => defaults.Validate()).Should().NotThrow();
    }

    [Fact]
    public void Table_ExportsCsvAndJson_AndRejectsBadCounts()
    {
        var table = new ExpertActivationTable(["x", "y,z"], new long[,,] { { { 3, 1 }, { 0, 2 } } });

        table.ToString().Should().Be("expert activations of 1 layers × 2 experts on 2 domains (x, y,z)");
        table.ToCsv().Should().Be(
            "layer,domain,expert,tokens,frequency\n" +
            "0,x,0,3,0.75000000\n0,x,1,1,0.25000000\n0,\"y,z\",0,0,0.00000000\n0,\"y,z\",1,2,1.00000000\n");
        using var json = System.Text.Json.JsonDocument.Parse(table.ToJson());
        var domain = json.RootElement.GetProperty("layers")[0].GetProperty("domains")[1];
        domain.GetProperty("domain").GetString().Should().Be("y,z");
        domain.GetProperty("tokens").GetInt64().Should().Be(2);
        domain.GetProperty("frequencies")[1].GetDouble().Should().Be(1);
        table.LayerFrequencies(0)[0, 1].Should().Be(0.25);

        var act = () => new ExpertActivationTable(["x"], new long[,,] { { { 0, 0 } } });
        act.Should().Throw<ArgumentException>().WithMessage("*'x'*no routed tokens*layer 0*");
        var duplicate = () => new ExpertActivationTable(["x", "x"], new long[,,] { { { 1 }, { 1 } } });
        duplicate.Should().Throw<ArgumentException>().WithMessage("*unique*");
    }
}
