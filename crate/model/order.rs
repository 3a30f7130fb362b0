//! How a feature map is laid out in a row of values, for layers that work on flattened maps.

use burn::tensor::Tensor;

/// The order in which a map's values are flattened into a row (the same for inputs and weights,
/// so a product gives the same values either way). On a GPU, burn's convolutions and training
/// BatchNorm leave maps as NCHW views of NHWC buffers and convolution weights are stored
/// channels-last ([`super::layout`]): there channels last is a view and channels first a copy.
/// On the CPU backend everything is row-major NCHW, the other way round.
#[derive(Clone, Copy)]
pub enum Order {
    ChannelsFirst,
    ChannelsLast,
}

impl Order {
    pub fn of(x: &Tensor<4>) -> Self {
        if crate::backend::is_cpu(&x.device()) { Order::ChannelsFirst } else { Order::ChannelsLast }
    }

    /// `[n, c, h, w]` → `[n, c·h·w]`, in this order.
    pub fn flatten(self, x: Tensor<4>) -> Tensor<2> {
        let [n, c, h, w] = x.dims();
        match self {
            Order::ChannelsFirst => x.reshape([n, c * h * w]),
            Order::ChannelsLast => x.permute([0, 2, 3, 1]).reshape([n, h * w * c]),
        }
    }

    /// [`Order::flatten`]'s inverse.
    pub fn unflatten(self, rows: Tensor<2>, [n, c, h, w]: [usize; 4]) -> Tensor<4> {
        match self {
            Order::ChannelsFirst => rows.reshape([n, c, h, w]),
            Order::ChannelsLast => rows.reshape([n, h, w, c]).permute([0, 3, 1, 2]),
        }
    }
}
