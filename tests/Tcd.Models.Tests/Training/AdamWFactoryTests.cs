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
        var stockOptimizer = torch.optim.AdamW(
            new[]
            {
                new TorchSharp.Modules.AdamW.ParamGroup(new[] { stock.weight! }, new TorchSharp.Modules.AdamW.Options { LearningRate = 0.05, weight_decay = 0.1, beta1 = 0.8, beta2 = 0.95, eps = 1e-8 }),
                new TorchSharp.Modules.AdamW.ParamGroup(new[] { stock.bias! }, new TorchSharp.Modules.AdamW.Options { LearningRate = 0.05, weight_decay = 0.0, beta1 = 0.8, beta2 = 0.95, eps = 1e-8 }),
            },
            0.05, 0.8, 0.95, 1e-8, 0.1);

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
}
