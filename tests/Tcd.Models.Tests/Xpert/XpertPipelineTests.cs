using System.Globalization;
using Tcd.Models.Data;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using Tcd.Models.Xpert;
using TorchSharp;

namespace Tcd.Models.Tests.Xpert;

public sealed class XpertPipelineTests
{
    /// <summary>A dense target deeper and narrower than <see cref="ExpertActivationAnalyzerTests.MoeConfig"/>.</summary>
    internal static BertConfig TinyTarget { get; } = new() { NumLayers = 3, HiddenSize = 16, NumHeads = 2, IntermediateSize = 24, MaxPositions = 64 };

    /// <summary>Short domains, the top two experts per layer and <paramref name="maxIterations"/> HOOI iterations.</summary>
    internal static XpertPipelineOptions TinyOptions(int maxIterations) => new()
    {
        Activation = new ExpertActivationOptions { BatchSize = 4, MaxSequenceLength = 24, MaxSegmentsPerDomain = 4 },
        Selection = new CommonExpertSelectionOptions { TopK = 2 },
        Tucker = new TuckerOptions { MaxIterations = maxIterations },
    };

    [Fact]
    public void Run_AnalysesSelectsDecomposesAndInitialisesADenseModel()
    {
        torch.manual_seed(7);
        using var source = new BertForMaskedLm(ExpertActivationAnalyzerTests.MoeConfig);
        var target = TinyTarget;
        var options = TinyOptions(maxIterations: 3);

        var decompositionReports = new List<XpertDecompositionProgress>();

        using var result = new XpertPipeline(BertTextEncoder.CreateUncased(), options)
            .Run(source, ExpertActivationAnalyzerTests.Domains(), target, decompositionProgress: new SynchronousProgress<XpertDecompositionProgress>(decompositionReports.Add));
        using var model = result.Model;

        result.Activations.LayerCount.Should().Be(2);
        result.Selections.Should().HaveCount(2);
        result.Decompositions.Select(layer => layer.IntermediateRank).Should().Equal(24, 24);
        result.Decompositions.Select(layer => layer.HiddenRank).Should().Equal(16, 16);
        foreach (var selection in result.Selections)
        {
            selection.Experts.Should().NotBeEmpty().And.HaveCountLessThanOrEqualTo(2);
            foreach (var expert in selection.Indices)
            {
                Enumerable.Range(0, 3).Should().OnlyContain(domain => result.Activations.Frequency(selection.Layer, domain, expert) > 0);
            }
        }

        result.Decompositions.Should().OnlyContain(layer => layer.UpRelativeError > 0 && layer.UpRelativeError < 1);
        var first = result.Decompositions[0];
        first.ToString().Should().MatchRegex(
            $@"^layer 0: E{first.Selection.Experts[0].Expert} \(score 0\.\d{{3}}, mean freq 0\.\d{{3}}\)(, E\d \(score 0\.\d{{3}}, mean freq 0\.\d{{3}}\))?; " +
            $@"Tucker ranks \[\d+, 24, 16\], relative error up {first.UpRelativeError.ToString("F4", CultureInfo.InvariantCulture)}, down 0\.\d{{4}}$");
        model.Config.Should().Be(target);
        using var ffn = XpertInitializer.DenseFfn(result.Decompositions[1], 24, 16);
        var weight = model.named_parameters().Single(pair => pair.name == "bert.encoder.layer.2.intermediate.dense.weight").parameter;
        weight.eq(ffn.IntermediateWeight).all().item<bool>().Should().BeTrue();
        decompositionReports.Select(report => report.ToString()).Should().StartWith("Tucker layer 0 (1/2): HOSVD")
            .And.Contain(line => line.StartsWith("Tucker layer 1 (2/2): HOOI sweep 1/3: relative error ", StringComparison.Ordinal));
        decompositionReports.Select(report => report.Fraction).Should().BeInAscendingOrder().And.OnlyContain(fraction => fraction >= 0 && fraction <= 1);
    }

    [Fact]
    public void Invalid_options_fail_when_the_pipeline_is_made_and_ranks_that_do_not_fit_before_any_text_is_read()
    {
        var encoder = BertTextEncoder.CreateUncased();
        var zeroRank = () => new XpertPipeline(encoder, new XpertPipelineOptions { ExpertRank = 0 });
        zeroRank.Should().Throw<ArgumentException>().WithMessage("ExpertRank is 0*");
        var negativeSweeps = () => new XpertPipeline(encoder, new XpertPipelineOptions { Tucker = new TuckerOptions { MaxIterations = -1 } });
        negativeSweeps.Should().Throw<ArgumentException>().WithMessage("TuckerOptions.MaxIterations is -1*");

        using var source = new BertForMaskedLm(ExpertActivationAnalyzerTests.MoeConfig);
        var target = new BertConfig { NumLayers = 2, HiddenSize = 16, NumHeads = 2, IntermediateSize = 24, MaxPositions = 64 };
        var pipeline = new XpertPipeline(encoder, new XpertPipelineOptions { IntermediateRank = 65 });
        var tooWide = () => pipeline.Run(source, UnreadDomains(), target);
        tooWide.Should().Throw<ArgumentException>().WithMessage("XpertRanks.IntermediateRank is 65 but the source's d_ff (IntermediateSize) is 64*");
        var belowTarget = () => new XpertPipeline(encoder, new XpertPipelineOptions { HiddenRank = 8 }).Run(source, UnreadDomains(), target);
        belowTarget.Should().Throw<ArgumentException>().WithMessage("The target (IntermediateSize 24, HiddenSize 16) is wider than the Tucker ranks (IntermediateRank 24, HiddenRank 8)*");
    }

    /// <summary>Domains that fail the test when anything reads them.</summary>
    private static IEnumerable<KeyValuePair<string, TextCorpus>> UnreadDomains() =>
        Enumerable.Range(0, 1).Select<int, KeyValuePair<string, TextCorpus>>(_ => throw new InvalidOperationException("The domains were read before the ranks were checked."));
}
