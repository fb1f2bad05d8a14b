using Tcd.Models.Modeling;
using Tcd.Models.Xpert;
using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Xpert;

public sealed class XpertInitializerTests : IDisposable
{
    private static readonly BertConfig Source = ExpertActivationAnalyzerTests.MoeConfig;

    private static readonly BertConfig Target = new()
    {
        NumLayers = 2, HiddenSize = 24, NumHeads = 2, IntermediateSize = 40, MaxPositions = 64,
    };

    private readonly BertForMaskedLm source;
    private readonly IReadOnlyList<LayerExpertSelection> selections =
    [
        new(0, [new SelectedExpert(1, 0.2, 0.3), new SelectedExpert(3, 0.1, 0.1)]),
        new(1, [new SelectedExpert(0, 0.4, 0.5)]),
    ];

    public XpertInitializerTests()
    {
        torch.manual_seed(11);
        source = new BertForMaskedLm(Source);
        using var noGrad = no_grad();
        // Non-zero biases so that the bias combination is tested too.
        foreach (var layer in source.Bert.Encoder.Layers)
        {
            layer.Moe!.Experts.IntermediateBias.normal_();
            layer.Moe.Experts.OutputBias.normal_();
        }
    }

    public void Dispose() => source.Dispose();

    // A few HOOI sweeps suffice: the tests compare the model with its own factors, not with a converged optimum.
    private static readonly TuckerOptions FewSweeps = new() { MaxIterations = 3 };

    private IReadOnlyList<XpertLayerDecomposition> Decompose(XpertRanks ranks) => XpertDecomposer.Decompose(source, selections, ranks, FewSweeps);

    private static Dictionary<string, Tensor> Parameters(nn.Module module) =>
        module.named_parameters().ToDictionary(pair => pair.name, pair => (Tensor)pair.parameter);

    [Fact]
    public void Decomposition_StacksTheChosenExperts_AndCombinesBiasesByFrequency()
    {
        var layers = Decompose(new XpertRanks(IntermediateRank: 64, HiddenRank: 32));
        try
        {
            var experts = source.Bert.Encoder.Layers[0].Moe!.Experts;
            layers[0].Weights[0].Should().BeApproximately(0.75, 1e-12);
            layers[0].Weights[1].Should().BeApproximately(0.25, 1e-12);
            layers[0].Factors.ExpertCount.Should().Be(2);
            layers[0].Factors.Joint.Core.shape.Should().Equal([4, 64, 32]); // The expert rank defaults to 2k.
            // Full ranks: the chosen experts come back exactly, in selection order.
            layers[0].UpRelativeError.Should().BeLessThan(1e-5);
            TuckerTestData.RelativeDistance(experts.OutputWeight[3], layers[0].Factors.ReconstructDown()[1]).Should().BeLessThan(1e-5);
            var expectedBias = experts.IntermediateBias[1] * 0.75 + experts.IntermediateBias[3] * 0.25;
            TuckerTestData.RelativeDistance(expectedBias, layers[0].IntermediateBias).Should().BeLessThan(1e-6);
            layers[1].Factors.Joint.Core.shape[0].Should().Be(2);
        }
        finally
        {
            foreach (var layer in layers)
            {
                layer.Dispose();
            }
        }
    }

    [Fact]
    public void DenseModel_HasTargetShape_AndFfnWeightsEqualTheReconstructionFromTheFactors()
    {
        var layers = Decompose(new XpertRanks(IntermediateRank: 48, HiddenRank: 28));
        torch.manual_seed(21);
        using var dense = XpertInitializer.CreateDenseModel(Target, layers);
        torch.manual_seed(21);
        using var plain = new BertForMaskedLm(Target);

        var parameters = Parameters(dense);
        parameters["bert.encoder.layer.0.intermediate.dense.weight"].shape.Should().Equal(40, 24);
        parameters["bert.encoder.layer.0.output.dense.weight"].shape.Should().Equal(24, 40);
        for (var layer = 0; layer < 2; layer++)
        {
            var decomposition = layers[layer];
            var weights = tensor(decomposition.Weights.ToArray()).to(ScalarType.Float32);
            var hiddenBasis = decomposition.Factors.HiddenFactor[.., ..40];
            var modelBasis = decomposition.Factors.ModelFactor[.., ..24];
            // Frequency-weighted average of the reconstructed experts, in the leading bases.
            var averageUp = einsum("e,eij->ij", weights, decomposition.Factors.ReconstructUp());
            var averageDown = einsum("e,eij->ij", weights, decomposition.Factors.ReconstructDown());
            var prefix = $"bert.encoder.layer.{layer}.";
            TuckerTestData.RelativeDistance(hiddenBasis.mT.matmul(averageUp).matmul(modelBasis), parameters[prefix + "intermediate.dense.weight"])
                .Should().BeLessThan(1e-5);
            TuckerTestData.RelativeDistance(modelBasis.mT.matmul(averageDown).matmul(hiddenBasis), parameters[prefix + "output.dense.weight"])
                .Should().BeLessThan(1e-5);
            TuckerTestData.RelativeDistance(hiddenBasis.mT.matmul(decomposition.IntermediateBias), parameters[prefix + "intermediate.dense.bias"])
                .Should().BeLessThan(1e-5);
            TuckerTestData.RelativeDistance(modelBasis.mT.matmul(decomposition.OutputBias), parameters[prefix + "output.dense.bias"])
                .Should().BeLessThan(1e-5);
        }

        // Everything but the FFN projections keeps the normal initialisation.
        foreach (var (name, value) in Parameters(plain).Where(pair => !pair.Key.Contains(".dense.", StringComparison.Ordinal)
                     || pair.Key.Contains("attention", StringComparison.Ordinal)))
        {
            parameters[name].eq(value).all().item<bool>().Should().BeTrue(name);
        }

        foreach (var layer in layers)
        {
            layer.Dispose();
        }
    }

    [Theory]
    [InlineData(4, new[] { 0, 0, 1, 1 })]
    [InlineData(1, new[] { 1 })]
    public void DifferentDepths_MapSourceLayersUniformly(int targetLayers, int[] expectedSources)
    {
        var layers = Decompose(new XpertRanks(IntermediateRank: 40, HiddenRank: 24));
        using var dense = XpertInitializer.CreateDenseModel(Target with { NumLayers = targetLayers }, layers);
        var parameters = Parameters(dense);

        for (var layer = 0; layer < targetLayers; layer++)
        {
            using var expected = XpertInitializer.DenseFfn(layers[expectedSources[layer]], 40, 24);
            parameters[$"bert.encoder.layer.{layer}.intermediate.dense.weight"].eq(expected.IntermediateWeight).all().item<bool>().Should().BeTrue();
            parameters[$"bert.encoder.layer.{layer}.output.dense.bias"].eq(expected.OutputBias).all().item<bool>().Should().BeTrue();
        }

        foreach (var layer in layers)
        {
            layer.Dispose();
        }
    }

    [Fact]
    public void MismatchedShapes_GiveClearErrors()
    {
        var layers = Decompose(new XpertRanks(IntermediateRank: 32, HiddenRank: 24));
        var tooWide = () => XpertInitializer.CreateDenseModel(Target, layers);
        tooWide.Should().Throw<ArgumentException>().WithMessage("*40 wide*d_ff rank 32*must not exceed the ranks*");
        var moeTarget = () => XpertInitializer.CreateDenseModel(Target.WithExperts(2), layers);
        moeTarget.Should().Throw<ArgumentException>().WithMessage("*dense (vanilla)*ExpertCount = 2*");
        var wrongOrder = () => XpertInitializer.CreateDenseModel(Target with { IntermediateSize = 32 }, [layers[1]]);
        wrongOrder.Should().Throw<ArgumentException>().WithMessage("*one decomposition per source layer*[1]*");
        foreach (var layer in layers)
        {
            layer.Dispose();
        }

        var rankTooLarge = () => Decompose(new XpertRanks(IntermediateRank: 65, HiddenRank: 24));
        rankTooLarge.Should().Throw<ArgumentException>().WithMessage("*IntermediateRank is 65*d_ff (IntermediateSize) is 64*");
        using var vanilla = new BertForMaskedLm(Source.WithExperts(0));
        var vanillaSource = () => XpertDecomposer.Decompose(vanilla, selections, new XpertRanks(8, 8));
        vanillaSource.Should().Throw<ArgumentException>().WithMessage("*source model is vanilla*");
        var noCommonExpert = () => XpertDecomposer.Decompose(source, [selections[0], new LayerExpertSelection(1, [])], new XpertRanks(8, 8));
        noCommonExpert.Should().Throw<ArgumentException>().WithMessage("*Layer 1 has no common expert*");
        var missingLayer = () => XpertDecomposer.Decompose(source, [selections[0]], new XpertRanks(8, 8));
        missingLayer.Should().Throw<ArgumentException>().WithMessage("*one selection per source layer*");
    }
}
