using Tcd.Models.Training;
using TorchSharp;

namespace Tcd.Models.Tests.Training;

public class AdamWFactoryTests
{
    [Theory]
    [InlineData("bert.encoder.layer.0.attention.output.dense.bias", true)]
    [InlineData("bert.encoder.layer.0.output.LayerNorm.weight", true)]
    [InlineData("cls.predictions.bias", true)]
    [InlineData("bert.encoder.layer.0.moe.experts.intermediate_bias", true)]
    [InlineData("bert.encoder.layer.0.attention.self.query.weight", false)]
    [InlineData("bert.embeddings.word_embeddings.weight", false)]
    public void BiasesAndLayerNormsAreNotDecayed(string name, bool excluded)
    {
        AdamWFactory.IsExcludedFromWeightDecay(name).Should().Be(excluded);
    }

    [Fact]
    public void DecayShrinksWeightsButNotBiases()
    {
        torch.manual_seed(1);
        var layer = torch.nn.Linear(3, 2);
        var weightBefore = layer.weight!.detach().clone();
        var biasBefore = layer.bias!.detach().clone();
        var optimizer = AdamWFactory.Create(layer, learningRate: 0.1, weightDecay: 0.5);

        // A zero gradient isolates the decoupled weight decay: AdamW's Adam update is then zero.
        foreach (var parameter in layer.parameters())
        {
            parameter.grad = torch.zeros_like(parameter);
        }

        optimizer.step();

        torch.allclose(layer.weight!, weightBefore * (1 - 0.1 * 0.5), rtol: 1e-6, atol: 1e-7).Should().BeTrue();
        torch.allclose(layer.bias!, biasBefore, rtol: 0, atol: 0).Should().BeTrue();
    }

    [Fact]
    public void Step_MatchesTorchSharpAdamW()
    {
        torch.manual_seed(3);
        var lean = torch.nn.Linear(5, 4);
        var stock = torch.nn.Linear(5, 4);
        stock.load_state_dict(lean.state_dict());
        var leanOptimizer = AdamWFactory.Create(lean, learningRate: 0.05, weightDecay: 0.1, beta1: 0.8, beta2: 0.95);
        var stockOptimizer = StockAdamW(stock, learningRate: 0.05, weightDecay: 0.1, beta1: 0.8, beta2: 0.95);

        for (var step = 0; step < 4; step++)
        {
            var input = torch.randn(7, 5);
            foreach (var (model, optimizer) in new (torch.nn.Module<torch.Tensor, torch.Tensor>, TorchSharp.Modules.AdamW)[] { (lean, leanOptimizer), (stock, stockOptimizer) })
            {
                optimizer.zero_grad();
                model.forward(input).square().sum().backward();
                optimizer.step();
            }
        }

        // Same arithmetic in another order: equal up to float rounding, far below one update (lr = 0.05).
        (lean.weight! - stock.weight!).abs().max().item<float>().Should().BeLessThan(1e-6f);
        (lean.bias! - stock.bias!).abs().max().item<float>().Should().BeLessThan(1e-6f);
        lean.weight!.allclose(stock.weight!.detach().clone().zero_()).Should().BeFalse();
    }

    [Theory]
    [InlineData(0.05)] // clips every step
    [InlineData(1e6)] // never clips
    [InlineData(0.0)] // clipping off
    public void StepWithClipping_MatchesClipGradNormThenTorchSharpAdamW(double maxNorm)
    {
        torch.manual_seed(4);
        var lean = torch.nn.Linear(33, 7);
        var stock = torch.nn.Linear(33, 7);
        stock.load_state_dict(lean.state_dict());
        var leanOptimizer = AdamWFactory.Create(lean, learningRate: 0.05, weightDecay: 0.1);
        var stockOptimizer = StockAdamW(stock, learningRate: 0.05, weightDecay: 0.1, beta1: 0.9, beta2: 0.999);

        var norms = new List<double>();
        for (var step = 0; step < 3; step++)
        {
            var input = torch.randn(9, 33);
            lean.zero_grad();
            lean.forward(input).square().sum().backward();
            norms.Add(AdamWFactory.Step(leanOptimizer, 0.05, maxNorm));

            stock.zero_grad();
            stock.forward(input).square().sum().backward();
            var stockNorm = maxNorm > 0 ? torch.nn.utils.clip_grad_norm_(stock.parameters(), maxNorm) : double.NaN;
            stockOptimizer.step();
            if (maxNorm > 0)
            {
                norms[^1].Should().BeApproximately(stockNorm, 1e-4 * stockNorm);
            }
        }

        (lean.weight! - stock.weight!).abs().max().item<float>().Should().BeLessThan(1e-5f);
        (lean.bias! - stock.bias!).abs().max().item<float>().Should().BeLessThan(1e-5f);
        if (maxNorm > 0)
        {
            norms.Should().OnlyContain(norm => norm > 0);
        }
        else
        {
            norms.Should().OnlyContain(norm => double.IsNaN(norm));
        }
    }

    [Theory]
    [InlineData(true, true)] // ∂√b/∂b at b = 0 is +∞
    [InlineData(false, true)] // 0 · ∂√b/∂b at b = 0 is 0 / 0
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void ANonFiniteGradientBehindAFiniteLoss_UpdatesNothing_AndLeavesTheOptimizerAsItWas(bool infinite, bool leanOptimizer)
    {
        torch.manual_seed(5);
        var layer = torch.nn.Linear(4, 3);
        var twin = torch.nn.Linear(4, 3);
        using (torch.no_grad())
        {
            layer.bias![0] = 0;
        }

        twin.load_state_dict(layer.state_dict());
        var optimizer = leanOptimizer ? AdamWFactory.Create(layer, learningRate: 0.05, weightDecay: 0.1) : StockAdamW(layer, 0.05, 0.1, 0.9, 0.999);
        var twinOptimizer = leanOptimizer ? AdamWFactory.Create(twin, learningRate: 0.05, weightDecay: 0.1) : StockAdamW(twin, 0.05, 0.1, 0.9, 0.999);
        var input = torch.randn(5, 4);
        var before = layer.weight!.detach().clone();

        var root = layer.bias![0].sqrt();
        var loss = layer.forward(input).square().sum() + (infinite ? root : root * 0);
        float.IsFinite(loss.item<float>()).Should().BeTrue();
        loss.backward();
        var norm = AdamWFactory.Step(optimizer, 0.05, maxGradientNorm: 1);

        double.IsFinite(norm).Should().BeFalse();
        (infinite ? double.IsPositiveInfinity(norm) : double.IsNaN(norm)).Should().BeTrue();
        layer.weight!.eq(before).all().item<bool>().Should().BeTrue();
        layer.bias![0].item<float>().Should().Be(0);

        // The next good step matches a twin that never saw the bad one: moments and step count were left alone too.
        foreach (var (model, modelOptimizer) in new[] { (layer, optimizer), (twin, twinOptimizer) })
        {
            model.zero_grad();
            model.forward(input).square().sum().backward();
            AdamWFactory.Step(modelOptimizer, 0.05, maxGradientNorm: 1);
        }

        layer.weight!.eq(twin.weight!).all().item<bool>().Should().BeTrue();
        layer.bias!.eq(twin.bias!).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void AllFrozen_ThrowsClearError()
    {
        var layer = torch.nn.Linear(3, 2);
        foreach (var parameter in layer.parameters())
        {
            parameter.requires_grad = false;
        }

        var act = () => AdamWFactory.Create(layer, 1e-3, 0.01);

        act.Should().Throw<InvalidOperationException>().WithMessage("*no trainable parameters*");
    }

    /// <summary>TorchSharp's own AdamW with BERT's groups: decay on the weight, none on the bias.</summary>
    private static TorchSharp.Modules.AdamW StockAdamW(TorchSharp.Modules.Linear layer, double learningRate, double weightDecay, double beta1, double beta2) =>
        torch.optim.AdamW(
            new[]
            {
                new TorchSharp.Modules.AdamW.ParamGroup(new[] { layer.weight! }, new TorchSharp.Modules.AdamW.Options { LearningRate = learningRate, weight_decay = weightDecay, beta1 = beta1, beta2 = beta2, eps = 1e-8 }),
                new TorchSharp.Modules.AdamW.ParamGroup(new[] { layer.bias! }, new TorchSharp.Modules.AdamW.Options { LearningRate = learningRate, weight_decay = 0.0, beta1 = beta1, beta2 = beta2, eps = 1e-8 }),
            },
            learningRate, beta1, beta2, 1e-8, weightDecay);
}
